// The inspector: what is selected, and what can be done to it (price zone, flags, seat
// number, renumbering, delete; the fields of one standing area).

import { $, say, setValue } from "./dom.js";
import { change } from "./history.js";
import { index, seatKey, selected, tidy } from "./model.js";
import { FLAGS, LABEL, num, round, state } from "./state.js";
import { t } from "./words.js";

export function renderInspector() {
  const seats = selected("seat");
  const areas = selected("area");
  const parts = [];
  if (seats.length) parts.push(t("sel.seats", { n: seats.length, key: seats.length === 1 ? seatKey(seats[0]) : "" }));
  if (areas.length) parts.push(t("sel.areas", { n: areas.length }));
  $("sel-summary").textContent = parts.length ? parts.join(" · ") : t("sel.none");
  $("sel-fields").disabled = !seats.length && !areas.length;
  const zones = new Set([...seats, ...areas].map((e) => e.item.zone));
  $("sel-zone").value = zones.size === 1 ? [...zones][0] : "";
  for (const flag of FLAGS) {
    const box = $(`flag-${flag}`);
    const count = seats.filter((e) => e.item.flags.includes(flag)).length;
    box.checked = seats.length > 0 && count === seats.length;
    box.indeterminate = count > 0 && count < seats.length;
    box.disabled = !seats.length;
  }
  const one = seats.length === 1;
  $("sel-label").disabled = !one;
  $("sel-label-apply").disabled = !one;
  setValue("sel-label", one ? seats[0].item.label : "");
  for (const id of ["renumber-start", "renumber-step", "renumber-dir", "renumber-apply"]) {
    $(id).disabled = !seats.length;
  }
  const area = areas.length === 1 && !seats.length ? areas[0].item : null;
  $("area-fields").hidden = !area;
  if (area) {
    setValue("area-edit-name", area.name);
    $("area-edit-zone").value = area.zone;
    setValue("area-edit-capacity", area.capacity);
    setValue("area-edit-width", round(area.width));
    setValue("area-edit-height", round(area.height));
  }
}

function applyZone() {
  const zone = $("sel-zone").value;
  const items = selected();
  if (!zone || !items.length) return;
  change(() => { for (const e of items) e.item.zone = zone; });
  say(t("done.zone", { n: items.length, zone }));
}

function setFlag(flag, on) {
  const seats = selected("seat");
  if (!seats.length) return;
  change(() => {
    for (const e of seats) {
      const flags = new Set(e.item.flags);
      if (on) flags.add(flag);
      else flags.delete(flag);
      e.item.flags = FLAGS.filter((f) => flags.has(f));
    }
  });
  say(t(on ? "done.flag_on" : "done.flag_off", { flag: t(`flag.${flag}`), n: seats.length }));
}

function applyLabel() {
  const seats = selected("seat");
  const input = $("sel-label");
  const label = input.value;
  if (seats.length !== 1) return;
  if (!LABEL.test(label) || label.length > 16) {
    input.setAttribute("aria-invalid", "true");
    say(t("err.label"), "error");
    return;
  }
  input.removeAttribute("aria-invalid");
  change(() => { seats[0].item.label = label; });
  say(t("done.label", { key: seatKey(index().get(seats[0].item.id)) }));
}

function renumber() {
  const seats = selected("seat");
  if (!seats.length) return;
  const start = Math.trunc(num($("renumber-start").value, 1));
  const step = Number($("renumber-step").value) || 1;
  const rtl = $("renumber-dir").value === "rtl";
  const rows = new Map();
  for (const e of seats) {
    if (!rows.has(e.row)) rows.set(e.row, []);
    rows.get(e.row).push(e.item);
  }
  change(() => {
    for (const list of rows.values()) {
      list.sort((a, b) => (rtl ? b.x - a.x : a.x - b.x));
      list.forEach((seat, i) => { seat.label = String(start + i * step); });
    }
  });
  say(t("done.renumber", { n: seats.length }));
}

export function removeSelection() {
  const items = selected();
  if (!items.length) return;
  const seatsGone = items.filter((e) => e.kind === "seat").length;
  const ids = new Set(items.map((e) => e.item.id));
  change(() => {
    for (const section of state.doc.sections) {
      for (const row of section.rows) row.seats = row.seats.filter((s) => !ids.has(s.id));
    }
    state.doc.standing_areas = state.doc.standing_areas.filter((a) => !ids.has(a.id));
    tidy();
    state.selection = new Set();
  });
  say(t("done.deleted", { n: seatsGone }));
}

function editArea(field, input) {
  const areas = selected("area");
  if (areas.length !== 1) return;
  const area = areas[0].item;
  let value = input.value;
  if (field === "name" && !value.trim()) {
    input.setAttribute("aria-invalid", "true");
    say(t("err.name"), "error");
    return;
  }
  if (field !== "name" && field !== "zone") {
    value = Number(value);
    const min = 1;
    if (!Number.isFinite(value) || value < min || (field === "capacity" && !Number.isInteger(value))) {
      input.setAttribute("aria-invalid", "true");
      say(t(field === "capacity" ? "area.err.capacity" : "err.number",
        { field: input.labels[0].textContent, min, max: "∞" }), "error");
      return;
    }
  }
  input.removeAttribute("aria-invalid");
  change(() => { area[field] = value; });
  say(t("area.changed", { code: area.code }));
}

export function wireInspector() {
  $("sel-zone-apply").addEventListener("click", applyZone);
  for (const flag of FLAGS) {
    $(`flag-${flag}`).addEventListener("change", (e) => setFlag(flag, e.target.checked));
  }
  $("sel-label-apply").addEventListener("click", applyLabel);
  $("sel-label").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      applyLabel();
    }
  });
  $("renumber-apply").addEventListener("click", renumber);
  $("sel-delete").addEventListener("click", removeSelection);
  for (const field of ["name", "zone", "capacity", "width", "height"]) {
    $(`area-edit-${field}`).addEventListener("change", (e) => editArea(field, e.target));
  }
}
