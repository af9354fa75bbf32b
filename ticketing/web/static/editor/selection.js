// The selection: what the drawing's gestures do to it (click, Shift/Ctrl click, rectangle,
// drag; canvas.js tells through `hooks`), and moving the selected seats and areas.

import { canvas } from "./board.js";
import { say } from "./dom.js";
import { change, changed, remember, snapshot } from "./history.js";
import { renderInspector } from "./inspector.js";
import { index, selected, tidy } from "./model.js";
import { round, state } from "./state.js";
import { t } from "./words.js";

function selectionChanged() {
  canvas.paint(state.selection, state.bad);
  renderInspector();
}

export function selectOnly(ids) {
  state.selection = new Set(ids);
  selectionChanged();
}

export const hooks = {
  press(id, mode) {
    if (mode === "toggle") {
      if (state.selection.has(id)) state.selection.delete(id);
      else state.selection.add(id);
      selectionChanged();
      return state.selection.has(id);
    }
    if (mode === "add") state.selection.add(id);
    else if (!state.selection.has(id)) state.selection = new Set([id]);
    selectionChanged();
    return true;
  },
  only(id) { selectOnly([id]); },
  clear() { selectOnly([]); },
  rect(x0, y0, x1, y1, additive) {
    const inside = [];
    for (const [id, e] of index()) {
      const it = e.item;
      const hit = e.kind === "seat"
        ? it.x >= x0 && it.x <= x1 && it.y >= y0 && it.y <= y1
        : it.x >= x0 && it.y >= y0 && it.x + it.width <= x1 && it.y + it.height <= y1;
      if (hit) inside.push(id);
    }
    if (additive) inside.forEach((id) => state.selection.add(id));
    else state.selection = new Set(inside);
    selectionChanged();
  },
  dragStart() {
    remember(snapshot(), null);
    state.drag = { start: new Map(selected().map((e) => [e.item.id, { x: e.item.x, y: e.item.y }])), dx: 0, dy: 0 };
  },
  drag(dx, dy) {
    const drag = state.drag;
    if (!drag) return;
    drag.dx = dx;
    drag.dy = dy;
    const map = index();
    for (const [id, start] of drag.start) {
      const item = map.get(id).item;
      item.x = start.x + dx;
      item.y = start.y + dy;
      canvas.place(id, item.x, item.y);
    }
  },
  dragEnd(dx, dy) {
    const drag = state.drag;
    if (!drag) return;
    hooks.drag(dx ?? drag.dx, dy ?? drag.dy);
    state.drag = null;
    const map = index();
    for (const id of drag.start.keys()) {
      const item = map.get(id).item;
      item.x = round(item.x);
      item.y = round(item.y);
    }
    tidy();
    changed();
    say(t("done.moved", { what: describe(selected()) }));
  },
};

// "12 seats", "1 standing area", "12 seats + 1 standing area".
function describe(items) {
  const seats = items.filter((e) => e.kind === "seat").length;
  const areas = items.length - seats;
  return [seats && t("zone.count", { n: seats }), areas && t("area.count", { n: areas })]
    .filter(Boolean).join(" + ");
}

export function nudge(dx, dy) {
  const items = selected();
  if (!items.length) return;
  change(() => {
    for (const e of items) {
      e.item.x = round(e.item.x + dx);
      e.item.y = round(e.item.y + dy);
    }
    tidy();
  }, "nudge");
  say(t("done.moved", { what: describe(items) }));
}
