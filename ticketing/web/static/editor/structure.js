// The panel "Sections and rows": pick a section or row to select it whole, rename it or
// delete it; and find a seat by its key (section/row/seat).

import { canvas } from "./board.js";
import { $, checkText, say, setValue } from "./dom.js";
import { change } from "./history.js";
import { index, seatKey, usedCodes } from "./model.js";
import { selectOnly } from "./selection.js";
import { CODE, LABEL, state } from "./state.js";
import { t } from "./words.js";

export function renderStructure() {
  const pickSection = $("pick-section");
  const before = pickSection.value;
  const sections = state.doc.sections;
  pickSection.replaceChildren(...sections.map((s, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = t("structure.section_option", {
      name: s.name, code: s.code, n: s.rows.reduce((n, r) => n + r.seats.length, 0),
    });
    return option;
  }));
  if (!sections.length) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = t("structure.none");
    pickSection.append(option);
  }
  if (before && Number(before) < sections.length) pickSection.value = before;
  renderRows();
}

function currentSection() {
  const i = $("pick-section").value;
  return i === "" ? null : state.doc.sections[Number(i)] || null;
}

export function renderRows() {
  const section = currentSection();
  const pickRow = $("pick-row");
  const before = pickRow.value;
  const rows = section ? section.rows : [];
  pickRow.replaceChildren(...rows.map((r, i) => {
    const option = document.createElement("option");
    option.value = String(i);
    option.textContent = t("structure.row_option", { label: r.label, n: r.seats.length });
    return option;
  }));
  if (before && Number(before) < rows.length) pickRow.value = before;
  const none = !section;
  for (const id of ["select-section", "section-delete", "section-code", "section-name",
    "section-save", "pick-row", "select-row", "row-label", "row-rename"]) {
    $(id).disabled = none;
  }
  setValue("section-code", section ? section.code : "");
  setValue("section-name", section ? section.name : "");
  const row = currentRow();
  setValue("row-label", row ? row.label : "");
}

function currentRow() {
  const section = currentSection();
  const i = $("pick-row").value;
  return section && i !== "" ? section.rows[Number(i)] || null : null;
}

function selectSection() {
  const section = currentSection();
  if (section) selectOnly(section.rows.flatMap((r) => r.seats.map((s) => s.id)));
}

function selectRow() {
  const row = currentRow();
  if (row) selectOnly(row.seats.map((s) => s.id));
}

function saveSection() {
  const section = currentSection();
  if (!section) return;
  const code = $("section-code");
  const name = $("section-name");
  const error = checkText(code, (v) => CODE.test(v), "err.code")
    || checkText(code, (v) => !usedCodes(section).has(v), "err.code_taken", { code: code.value })
    || checkText(name, (v) => v.trim() !== "", "err.name");
  $("structure-error").textContent = error || "";
  if (error) return;
  change(() => {
    section.code = code.value;
    section.name = name.value.trim();
  });
  say(t("done.section", { code: section.code }));
}

function deleteSection() {
  const section = currentSection();
  if (!section) return;
  change(() => {
    state.doc.sections = state.doc.sections.filter((s) => s !== section);
    state.selection = new Set();
  });
  say(t("done.section_deleted", { code: section.code }));
}

function renameRow() {
  const row = currentRow();
  if (!row) return;
  const input = $("row-label");
  const error = checkText(input, (v) => LABEL.test(v) && v.length <= 16, "err.label");
  $("structure-error").textContent = error || "";
  if (error) return;
  change(() => { row.label = input.value; });
  say(t("done.row", { label: row.label }));
}

function findSeat(event) {
  event.preventDefault();
  const key = $("seat-find").value.trim();
  const hits = [...index().values()].filter((e) => e.kind === "seat" && seatKey(e) === key);
  if (!hits.length) {
    say(t("find.none", { key }), "error");
    return;
  }
  selectOnly(hits.map((e) => e.item.id));
  canvas.reveal(hits[0].item.id);
  say(t("sel.seats", { n: hits.length, key }));
}

export function wireStructure() {
  $("pick-section").addEventListener("change", () => {
    $("pick-row").value = "0";
    renderRows();
  });
  $("pick-row").addEventListener("change", renderRows);
  $("select-section").addEventListener("click", selectSection);
  $("select-row").addEventListener("click", selectRow);
  $("section-save").addEventListener("click", saveSection);
  $("section-delete").addEventListener("click", deleteSection);
  $("row-rename").addEventListener("click", renameRow);
  $("find-form").addEventListener("submit", findSeat);
}
