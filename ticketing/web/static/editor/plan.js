// The panel "Hall and stage": the plan's name and size, and the stage.

import { canvas } from "./board.js";
import { $, readNumber, say, setValue } from "./dom.js";
import { contentBox, fitDrawing, placeStage } from "./geometry.js";
import { change } from "./history.js";
import { seatCount } from "./model.js";
import { round, state } from "./state.js";
import { t } from "./words.js";

export function renderDocFields() {
  const d = state.doc;
  setValue("doc-name", d.name);
  setValue("doc-width", round(d.width));
  setValue("doc-height", round(d.height));
  setValue("doc-seat-size", d.seat_size);
  $("stage-on").checked = Boolean(d.stage);
  for (const id of ["stage-label", "stage-x", "stage-y", "stage-width", "stage-height", "stage-auto"]) {
    $(id).disabled = !d.stage;
  }
  if (d.stage) {
    setValue("stage-label", d.stage.label);
    setValue("stage-x", round(d.stage.x));
    setValue("stage-y", round(d.stage.y));
    setValue("stage-width", round(d.stage.width));
    setValue("stage-height", round(d.stage.height));
  }
  $("board-title").textContent = d.name;
  $("canvas-wrap").setAttribute("aria-label", t("canvas.label", { name: d.name }));
  $("canvas").setAttribute("aria-label", t("canvas.img", {
    seats: seatCount(), sections: d.sections.length,
  }));
}

function editDoc(field, input) {
  const d = state.doc;
  if (field === "name") {
    if (!input.value.trim()) {
      input.setAttribute("aria-invalid", "true");
      say(t("err.name"), "error");
      return;
    }
    input.removeAttribute("aria-invalid");
    change(() => { d.name = input.value.trim(); }, "name");
    return;
  }
  const read = readNumber(input.id, field.startsWith("stage.") && !field.endsWith("width")
    && !field.endsWith("height") ? -100000 : 1, 100000);
  if (read.error) {
    say(read.error, "error");
    return;
  }
  change(() => {
    if (field.startsWith("stage.")) {
      d.stage[field.slice(6)] = read.value;
      state.stageAuto = false;
    } else {
      d[field] = read.value;
    }
  });
}

function toggleStage(on) {
  change(() => {
    const d = state.doc;
    if (on && !d.stage) {
      d.stage = { x: 0, y: 0, width: 10 * d.seat_size, height: 3 * d.seat_size, label: "Podium" };
      state.stageAuto = true;
      placeStage();
      if (!contentBox({ withStage: false })) {
        d.stage.x = round(d.width / 2 - d.stage.width / 2);
        d.stage.y = 3 * d.seat_size;
      }
      fitDrawing();
    } else if (!on) {
      d.stage = null;
    }
  });
}

function stageLabel(input) {
  if (!state.doc.stage) return;
  if (!input.value.trim()) {
    input.setAttribute("aria-invalid", "true");
    say(t("err.name"), "error");
    return;
  }
  input.removeAttribute("aria-invalid");
  change(() => { state.doc.stage.label = input.value.trim(); });
}

export function wirePlan() {
  $("doc-name").addEventListener("change", (e) => editDoc("name", e.target));
  $("doc-width").addEventListener("change", (e) => editDoc("width", e.target));
  $("doc-height").addEventListener("change", (e) => editDoc("height", e.target));
  $("doc-seat-size").addEventListener("change", (e) => editDoc("seat_size", e.target));
  $("doc-fit").addEventListener("click", () => {
    change(fitDrawing);
    canvas.setZoom(1);
    say(t("doc.fitted"));
  });
  $("stage-on").addEventListener("change", (e) => toggleStage(e.target.checked));
  $("stage-label").addEventListener("change", (e) => stageLabel(e.target));
  for (const field of ["x", "y", "width", "height"]) {
    $(`stage-${field}`).addEventListener("change", (e) => editDoc(`stage.${field}`, e.target));
  }
  $("stage-auto").addEventListener("click", () => {
    change(() => {
      state.stageAuto = true;
      placeStage();
      fitDrawing();
    });
  });
}
