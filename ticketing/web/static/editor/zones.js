// The panel "Price zones": the plan's zones, edited in place, added and removed, and the
// zone pickers of the other panels.

import { $, checkText, cross, say } from "./dom.js";
import { change } from "./history.js";
import { index, zoneUse } from "./model.js";
import { CODE, COLOR, PALETTE, state } from "./state.js";
import { t } from "./words.js";

export function renderZones() {
  const list = $("zone-list");
  const zones = state.doc.price_zones;
  const use = zoneUse();
  if (list.children.length !== zones.length) {
    list.replaceChildren(...zones.map((_, i) => zoneItem(i)));
  }
  zones.forEach((zone, i) => {
    const item = list.children[i];
    const color = item.querySelector(".zone-color");
    const code = item.querySelector(".zone-code");
    const name = item.querySelector(".zone-name");
    const label = zone.name || zone.code;
    if (document.activeElement !== color) color.value = zone.color;
    if (document.activeElement !== code) code.value = zone.code;
    if (document.activeElement !== name) name.value = zone.name;
    color.setAttribute("aria-label", t("zone.color_of", { name: label }));
    code.setAttribute("aria-label", t("zone.code_of", { name: label }));
    name.setAttribute("aria-label", t("zone.name_of", { name: label }));
    item.querySelector(".zone-remove").setAttribute("aria-label", t("zone.remove_of", { name: label }));
    item.title = t("zone.count", { n: use[zone.code] || 0 });
  });
}

function zoneItem(i) {
  const item = document.createElement("li");
  const input = (attributes) => Object.assign(document.createElement("input"), attributes);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "zone-remove danger icon";
  remove.append(cross());
  item.append(input({ type: "color", className: "zone-color" }),
    input({ className: "zone-code", maxLength: 16, spellcheck: false, autocomplete: "off" }),
    input({ className: "zone-name", maxLength: 100, autocomplete: "off" }), remove);
  item.querySelector(".zone-color").addEventListener("change", (e) => editZone(i, "color", e.target));
  item.querySelector(".zone-code").addEventListener("change", (e) => editZone(i, "code", e.target));
  item.querySelector(".zone-name").addEventListener("change", (e) => editZone(i, "name", e.target));
  item.querySelector(".zone-remove").addEventListener("click", () => removeZone(i));
  item.querySelector(".zone-code").id = `zone-code-${i}`;
  item.querySelector(".zone-name").id = `zone-name-${i}`;
  item.querySelector(".zone-color").id = `zone-color-${i}`;
  return item;
}

function fillZoneSelect(select, { mixed } = {}) {
  const before = select.value;
  const options = state.doc.price_zones.map((z) => {
    const option = document.createElement("option");
    option.value = z.code;
    option.textContent = `${z.code} · ${z.name}`;
    return option;
  });
  if (mixed) {
    const option = document.createElement("option");
    option.value = "";
    option.textContent = t("sel.mixed");
    options.unshift(option);
  }
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === before)) select.value = before;
}

export function renderZoneOptions() {
  fillZoneSelect($("gen-zone"));
  fillZoneSelect($("area-zone"));
  fillZoneSelect($("area-edit-zone"));
  fillZoneSelect($("sel-zone"), { mixed: true });
}

function addZone(event) {
  event.preventDefault();
  const code = $("zone-code");
  const name = $("zone-name");
  const color = $("zone-color");
  const taken = state.doc.price_zones.some((z) => z.code === code.value);
  const error = checkText(code, (v) => CODE.test(v), "err.code")
    || checkText(code, () => !taken, "err.code_taken", { code: code.value })
    || checkText(name, (v) => v.trim() !== "", "err.name")
    || checkText(color, (v) => COLOR.test(v), "err.color");
  $("zone-error").textContent = error || "";
  if (error) return;
  change(() => {
    state.doc.price_zones.push({ code: code.value, name: name.value.trim(), color: color.value });
  });
  say(t("zone.added", { code: code.value }));
  code.value = "";
  name.value = "";
  color.value = PALETTE[state.doc.price_zones.length % PALETTE.length];
  code.focus();
}

function editZone(i, field, input) {
  const zone = state.doc.price_zones[i];
  if (!zone) return;
  const value = field === "name" ? input.value.trim() : input.value;
  let error = null;
  if (field === "code") {
    error = !CODE.test(value) ? t("err.code")
      : state.doc.price_zones.some((z, j) => j !== i && z.code === value)
        ? t("err.code_taken", { code: value }) : null;
  } else if (field === "name" && !value) {
    error = t("err.name");
  } else if (field === "color" && !COLOR.test(value)) {
    error = t("err.color");
  }
  $("zone-error").textContent = error || "";
  if (error) {
    input.setAttribute("aria-invalid", "true");
    return;
  }
  input.removeAttribute("aria-invalid");
  const old = zone.code;
  change(() => {
    zone[field] = value;
    if (field === "code" && old !== value) {
      // Renaming a zone keeps its seats and areas in it.
      for (const e of index().values()) if (e.item.zone === old) e.item.zone = value;
    }
  });
  say(t("zone.changed", { code: zone.code }));
}

function removeZone(i) {
  const zone = state.doc.price_zones[i];
  if (!zone) return;
  const users = [...index().values()].filter((e) => e.item.zone === zone.code).length;
  if (users) {
    const message = t("zone.err.in_use", { code: zone.code, n: users });
    $("zone-error").textContent = message;
    return;
  }
  $("zone-error").textContent = "";
  change(() => { state.doc.price_zones.splice(i, 1); });
  say(t("zone.removed", { code: zone.code }));
  $("zone-code").focus();
}

export function wireZones() {
  $("zone-form").addEventListener("submit", addZone);
}
