// The panel "Standing areas": the plan's areas, added and removed (one selected area is
// edited in the inspector).

import { canvas } from "./board.js";
import { $, checkText, cross, readNumber, say } from "./dom.js";
import { fitDrawing, placeStage } from "./geometry.js";
import { change } from "./history.js";
import { usedCodes } from "./model.js";
import { selectOnly } from "./selection.js";
import { CODE, newId, state } from "./state.js";
import { t } from "./words.js";

export function renderAreas() {
  const list = $("area-list");
  list.replaceChildren(...state.doc.standing_areas.map((area) => {
    const item = document.createElement("li");
    const text = document.createElement("span");
    text.textContent = t("area.item", { code: area.code, name: area.name, n: area.capacity });
    const pick = document.createElement("button");
    pick.type = "button";
    pick.className = "secondary small";
    pick.textContent = t("area.select");
    pick.setAttribute("aria-label", t("area.select_of", { name: area.name }));
    pick.addEventListener("click", () => selectOnly([area.id]));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "danger icon";
    remove.append(cross());
    remove.setAttribute("aria-label", t("area.remove_of", { name: area.name }));
    remove.addEventListener("click", () => removeArea(area.id));
    item.append(text, pick, remove);
    return item;
  }));
}

function addArea(event) {
  event.preventDefault();
  const code = $("area-code");
  const name = $("area-name");
  let error = checkText(code, (v) => CODE.test(v), "err.code")
    || checkText(code, (v) => !usedCodes().has(v), "err.code_taken", { code: code.value })
    || checkText(name, (v) => v.trim() !== "", "err.name");
  const zone = $("area-zone").value;
  if (!error && !zone) error = t("gen.err.zone");
  const numbers = {};
  for (const [key, id, min, max, options] of [
    ["capacity", "area-capacity", 1, 1000000, { integer: true }],
    ["width", "area-width", 1, 100000, {}],
    ["height", "area-height", 1, 100000, {}],
    ["x", "area-x", -100000, 100000, {}],
    ["y", "area-y", -100000, 100000, {}],
  ]) {
    const read = readNumber(id, min, max, options);
    if (read.error && !error) error = read.error;
    numbers[key] = read.value;
  }
  $("area-error").textContent = error || "";
  if (error) return;
  change(() => {
    state.doc.standing_areas.push({ id: newId("a"), code: code.value, name: name.value.trim(), zone, ...numbers });
    if (state.stageAuto) placeStage();
    fitDrawing();
    state.genTouched = false;
  });
  canvas.setZoom(1);
  say(t("area.added", { code: code.value }), "ok");
}

function removeArea(id) {
  const area = state.doc.standing_areas.find((a) => a.id === id);
  if (!area) return;
  change(() => {
    state.doc.standing_areas = state.doc.standing_areas.filter((a) => a.id !== id);
    state.selection.delete(id);
  });
  say(t("area.removed", { code: area.code }));
}

export function wireAreas() {
  $("area-form").addEventListener("submit", addArea);
}
