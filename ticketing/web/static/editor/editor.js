// The seat-map editor of house admins (/admin/seatmaps): log in, open a hall, build its
// layout (price zones, generated sections, standing areas, stage), fine-tune seats on the
// drawing, check it with the API and save it as the hall's next version. It only talks to
// the public JSON API, so it can never do what the API refuses (docs/seatmaps.md).
//
// The page's one module script: it imports the others (native ES modules, no build step;
// docs/web.md lists them), wires the page and starts it. podium.js and login.js, shared
// with the other pages, are classic scripts loaded before it (the globals Podium and
// PodiumLogin).

import "./i18n.js";
import { explain, session, whenSessionExpires } from "./api.js";
import { wireAreas } from "./areas.js";
import { canvas, mountCanvas } from "./board.js";
import { $ } from "./dom.js";
import { wireFiles } from "./files.js";
import { wireGenerator } from "./generator.js";
import { enter, loadVersions, renderVersionBadge, showLogin, wireHalls } from "./halls.js";
import { redo, showChangesWith, undo } from "./history.js";
import { wireInspector } from "./inspector.js";
import { onCanvasKey, onGlobalKey } from "./keys.js";
import { index } from "./model.js";
import { wirePlan } from "./plan.js";
import { hooks, nudge, selectOnly } from "./selection.js";
import { state } from "./state.js";
import { wireStructure } from "./structure.js";
import { afterEdit, refresh } from "./view.js";
import { t, translatePage } from "./words.js";
import { wireZones } from "./zones.js";

// The language switch's choice (podium:language): the page's texts, and what is drawn.
function relabel() {
  translatePage();
  Podium.languageSwitch($("languages"));
  if (!$("login-view").hidden) {
    const typed = $("login-email").value;
    showLogin();
    $("login-email").value = typed;
  }
  if (state.doc) {
    refresh();
    renderVersionBadge();
    if (state.layouts.length) loadVersions($("version-pick").value).catch(() => {});
    const problems = $("problems");
    if (problems.querySelector(".stale")) problems.querySelector(".stale").textContent = t("problems.stale");
  }
}

function wire() {
  mountCanvas(hooks);
  whenSessionExpires(() => showLogin(t("login.expired")));
  showChangesWith({ edited: afterEdit, restored: refresh });
  document.addEventListener("podium:language", () => {
    relabel();
    Podium.focusLanguage();
  });
  wireHalls();
  wirePlan();
  wireZones();
  wireGenerator();
  wireAreas();
  wireInspector();
  wireStructure();
  wireFiles();

  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);
  $("zoom-in").addEventListener("click", () => canvas.setZoom(canvas.zoom * 1.5));
  $("zoom-out").addEventListener("click", () => canvas.setZoom(canvas.zoom / 1.5));
  $("zoom-fit").addEventListener("click", () => canvas.setZoom(1));

  $("canvas-wrap").addEventListener("keydown", onCanvasKey);
  document.addEventListener("keydown", onGlobalKey);

  $("select-all").addEventListener("click", () => selectOnly([...index().keys()]));
  $("select-none").addEventListener("click", () => selectOnly([]));
  for (const button of document.querySelectorAll("[data-move]")) {
    button.addEventListener("click", () => {
      const [dx, dy] = button.dataset.move.split(",").map(Number);
      const step = state.doc.seat_size / 4;
      nudge(dx * step, dy * step);
    });
  }

  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}

async function start() {
  wire();
  translatePage();
  Podium.languageSwitch($("languages"));
  let me = null;
  let trouble = null;
  try {
    me = await session.restore(); // the admin pages' login, when they opened this page
  } catch (exc) {
    trouble = explain(exc);
  }
  if (me) await enter(me);
  else showLogin(trouble);
  document.body.dataset.ready = "true";
}

start();
