// The keyboard: arrows, Delete, Escape and Ctrl+A on the drawing; Ctrl+Z and Ctrl+Y (or
// Ctrl+Shift+Z) anywhere but in a field.

import { $ } from "./dom.js";
import { redo, undo } from "./history.js";
import { removeSelection } from "./inspector.js";
import { index } from "./model.js";
import { nudge, selectOnly } from "./selection.js";
import { state } from "./state.js";

export function onCanvasKey(event) {
  const size = state.doc ? state.doc.seat_size : 20;
  const step = event.shiftKey ? size : size / 4;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (moves[event.key]) {
    event.preventDefault();
    nudge(...moves[event.key]);
  } else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    removeSelection();
  } else if (event.key === "Escape") {
    selectOnly([]);
  } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") {
    event.preventDefault();
    selectOnly([...index().keys()]);
  }
}

export function onGlobalKey(event) {
  if (!state.doc || $("editor").hidden) return;
  const typing = event.target.closest && event.target.closest("input, select, textarea");
  if (typing || !(event.ctrlKey || event.metaKey)) return;
  const key = event.key.toLowerCase();
  if (key === "z" && !event.shiftKey) {
    event.preventDefault();
    undo();
  } else if (key === "y" || (key === "z" && event.shiftKey)) {
    event.preventDefault();
    redo();
  }
}
