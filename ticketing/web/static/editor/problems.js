// The problems the API found in the plan (a check, a refused save or import): listed above
// the drawing with a button that shows the seats they name, which are marked on it.

import { canvas } from "./board.js";
import { $ } from "./dom.js";
import { index, seatKey } from "./model.js";
import { selectOnly } from "./selection.js";
import { state } from "./state.js";
import { t } from "./words.js";

function problemIds(problem) {
  const field = String(problem.field || "");
  const d = state.doc;
  const at = (pattern) => field.match(pattern);
  let m = at(/sections[.[](\d+)\]?\.rows[.[](\d+)\]?\.seats[.[](\d+)/);
  if (m) {
    const seat = d.sections[m[1]]?.rows[m[2]]?.seats[m[3]];
    if (seat) return [seat.id];
  }
  m = at(/sections[.[](\d+)\]?\.rows[.[](\d+)/);
  if (m) {
    const row = d.sections[m[1]]?.rows[m[2]];
    if (row) return row.seats.map((s) => s.id);
  }
  m = at(/standing_areas[.[](\d+)/);
  if (m && d.standing_areas[m[1]]) return [d.standing_areas[m[1]].id];
  if (problem.seat) {
    return [...index().values()]
      .filter((e) => e.kind === "seat" && seatKey(e) === problem.seat).map((e) => e.item.id);
  }
  m = at(/sections[.[](\d+)/);
  if (m && d.sections[m[1]]) return d.sections[m[1]].rows.flatMap((r) => r.seats.map((s) => s.id));
  return [];
}

export function showProblems(problems, lead) {
  const box = $("problems");
  state.problemsStale = false;
  state.bad = new Set();
  if (!problems.length && !lead) {
    box.replaceChildren();
    canvas.paint(state.selection, state.bad);
    return;
  }
  const title = document.createElement("p");
  title.className = "problems-title";
  title.textContent = lead || t("problems.title", { n: problems.length });
  const list = document.createElement("ul");
  for (const problem of problems) {
    const ids = problemIds(problem);
    ids.forEach((id) => state.bad.add(id));
    const item = document.createElement("li");
    const message = document.createElement("span");
    message.className = "message";
    message.textContent = problem.message;
    item.append(message);
    if (problem.field) {
      const field = document.createElement("code");
      field.className = "field-path";
      field.textContent = problem.field;
      item.append(" ", field);
    }
    if (ids.length) {
      const show = document.createElement("button");
      show.type = "button";
      show.className = "secondary small";
      show.textContent = t("problems.show");
      show.setAttribute("aria-label", t("problems.show_of", { message: problem.message }));
      show.addEventListener("click", () => {
        selectOnly(ids);
        canvas.reveal(ids[0]);
      });
      item.append(" ", show);
    }
    list.append(item);
  }
  box.replaceChildren(title, list);
  canvas.paint(state.selection, state.bad);
}

export function markProblemsStale() {
  const box = $("problems");
  if (!box.childElementCount || box.querySelector(".stale")) return;
  const note = document.createElement("p");
  note.className = "stale";
  note.textContent = t("problems.stale");
  box.append(note);
}

// After an edit the last check's problems may no longer hold: they stay, marked stale.
export function problemsOutdated() {
  if (state.bad.size || $("problems").childElementCount) {
    state.problemsStale = true;
    state.bad = new Set();
    markProblemsStale();
  }
}
