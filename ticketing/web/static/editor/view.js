// Redrawing the page from the state: the drawing and every panel, after each change.

import { renderAreas } from "./areas.js";
import { canvas } from "./board.js";
import { $ } from "./dom.js";
import { renderGenDefaults } from "./generator.js";
import { renderInspector } from "./inspector.js";
import { renderCounts, renderLegend } from "./legend.js";
import { renderDocFields } from "./plan.js";
import { problemsOutdated } from "./problems.js";
import { state } from "./state.js";
import { renderStructure } from "./structure.js";
import { renderZoneOptions, renderZones } from "./zones.js";

export function refresh() {
  if (!state.doc) return;
  canvas.render(state.doc, state.selection, state.bad);
  renderDocFields();
  renderZones();
  renderZoneOptions();
  renderAreas();
  renderStructure();
  renderInspector();
  renderCounts();
  renderLegend();
  renderGenDefaults();
  $("dirty").hidden = !state.dirty;
  $("undo").disabled = !state.undo.length;
  $("redo").disabled = !state.redo.length;
}

// After an edit (history.js): the problems of the last check go stale, then redraw.
export function afterEdit() {
  problemsOutdated();
  refresh();
}
