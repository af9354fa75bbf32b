// Check, save, export and import: the plan goes to the API, which checks it
// (POST /seatmaps/validate) or saves it as the hall's next version.

import { api, errorsOf, explain } from "./api.js";
import { canvas } from "./board.js";
import { $, say } from "./dom.js";
import { loadVersions, renderVersionBadge } from "./halls.js";
import { change } from "./history.js";
import { fromDocument, toDocument } from "./model.js";
import { showProblems } from "./problems.js";
import { state } from "./state.js";
import { refresh } from "./view.js";
import { number, t } from "./words.js";

async function validate() {
  if (!state.doc) return;
  say(t("validate.busy"));
  try {
    const report = await api("POST", "/seatmaps/validate", toDocument());
    if (report.valid) {
      showProblems([]);
      say(t("validate.ok", {
        seats: number(report.seat_count),
        standing: number(report.standing_capacity),
      }), "ok");
    } else {
      showProblems(report.problems);
      say(t("validate.bad", { n: report.problems.length }), "error");
    }
  } catch (exc) {
    if (exc.status === 401) return;
    showProblems(errorsOf(exc), errorsOf(exc).length ? exc.message : explain(exc));
    say(explain(exc), "error");
  }
}

async function save() {
  if (!state.doc || !state.hall) return;
  say(t("save.busy"));
  $("save").disabled = true;
  try {
    const out = await api("POST", `/halls/${state.hall.id}/layouts`, toDocument());
    state.version = out.version;
    state.dirty = false;
    showProblems([]);
    await loadVersions(out.id);
    refresh();
    say(t("version.saved", { n: out.version, seats: number(out.seat_count) }), "ok");
  } catch (exc) {
    if (exc.status === 401) return;
    showProblems(errorsOf(exc), `${t("problems.not_saved")} ${explain(exc)}`);
    say(t("save.failed", { detail: explain(exc) }), "error");
  } finally {
    $("save").disabled = false;
    renderVersionBadge();
  }
}

function exportJson() {
  const blob = new Blob([`${JSON.stringify(toDocument(), null, 2)}\n`], { type: "application/json" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  const version = state.version ? `-v${state.version}` : "";
  link.download = `${(state.doc.name || "layout").replace(/[^\w-]+/g, "-")}${version}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

async function importJson(file) {
  let raw;
  try {
    raw = JSON.parse(await file.text());
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error("not an object");
  } catch {
    say(t("import.failed"), "error");
    return;
  }
  // The API reads the file first: a field it does not know is an error, not dropped.
  let report;
  try {
    report = await api("POST", "/seatmaps/validate", raw);
  } catch (exc) {
    if (exc.status === 401) return;
    showProblems(errorsOf(exc), `${t("import.failed")} ${explain(exc)}`);
    say(t("import.failed"), "error");
    return;
  }
  change(() => {
    state.doc = fromDocument(raw);
    state.selection = new Set();
    state.stageAuto = false;
    state.genTouched = false;
  });
  canvas.setZoom(1);
  showProblems(report.valid ? [] : report.problems);
  say(t("done.imported", { file: file.name }), report.valid ? "ok" : "error");
}

export function wireFiles() {
  $("validate").addEventListener("click", validate);
  $("save").addEventListener("click", save);
  $("export").addEventListener("click", exportJson);
  $("import").addEventListener("click", () => $("import-file").click());
  $("import-file").addEventListener("change", (e) => {
    const file = e.target.files[0];
    e.target.value = "";
    if (file) importJson(file);
  });
}
