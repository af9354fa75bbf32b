// Changes and undo: every edit runs through change(), which keeps the plan as it was for
// undo (JSON snapshots, at most UNDO_LIMIT) and then has the page redrawn.

import { say } from "./dom.js";
import { index } from "./model.js";
import { state } from "./state.js";
import { t } from "./words.js";

const UNDO_LIMIT = 100;

// How the page shows a change (view.js): set by editor.js, so that this module needs none
// of the panels. `edited` after an edit, `restored` after undo or redo.
const view = { edited() {}, restored() {} };
export function showChangesWith({ edited, restored }) {
  view.edited = edited;
  view.restored = restored;
}

export const snapshot = () => JSON.stringify({ doc: state.doc, stageAuto: state.stageAuto });

// Keeps `before` for undo. Changes of the same kind in quick succession (arrow presses)
// are undone together.
export function remember(before, coalesce) {
  const now = Date.now();
  const same = coalesce && state.lastCoalesce === coalesce && now - state.lastChange < 1500;
  if (!same) {
    state.undo.push(before);
    if (state.undo.length > UNDO_LIMIT) state.undo.shift();
  }
  state.lastCoalesce = coalesce || null;
  state.lastChange = now;
  state.redo = [];
}

// Runs `fn` as one undoable change; `fn` returns false when it changed nothing.
export function change(fn, coalesce) {
  const before = snapshot();
  if (fn() === false) return false;
  remember(before, coalesce);
  changed();
  return true;
}

export function changed() {
  state.dirty = true;
  state.indexCache = null;
  view.edited();
}

function restore(text) {
  const saved = JSON.parse(text);
  state.doc = saved.doc;
  state.stageAuto = saved.stageAuto;
  state.indexCache = null;
  const map = index();
  state.selection = new Set([...state.selection].filter((id) => map.has(id)));
  state.dirty = true;
  state.bad = new Set();
  view.restored();
}

export function undo() {
  if (!state.undo.length) return;
  state.redo.push(snapshot());
  restore(state.undo.pop());
  state.lastCoalesce = null;
  say(t("done.undo"));
}

export function redo() {
  if (!state.redo.length) return;
  state.undo.push(snapshot());
  restore(state.redo.pop());
  state.lastCoalesce = null;
  say(t("done.redo"));
}
