// Login, the halls of the house and their saved versions: what is open in the editor.

import { api, explain, session } from "./api.js";
import { canvas } from "./board.js";
import { $, say } from "./dom.js";
import { emptyDocument, fromDocument } from "./model.js";
import { state } from "./state.js";
import { refresh } from "./view.js";
import { date, number, t } from "./words.js";

export function showLogin(message) {
  $("login-view").hidden = false;
  $("workspace").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  session.form($("login-view"), { intro: t("login.intro"), error: message || null, onLogin: () => enter() });
}

async function logout() {
  await session.logout();
  state.doc = null;
  state.hall = null;
  state.dirty = false;
  $("editor").hidden = true;
  showLogin();
  say("");
}

// After login, or with the login kept in this tab (`known` is who restore() found): the
// halls of the house.
export async function enter(known) {
  let me;
  let halls;
  let venues;
  try {
    [me, halls, venues] = await Promise.all([
      known || api("GET", "/auth/me"), api("GET", "/halls"),
      // Venue names only make the hall list clearer; the halls are what matters.
      api("GET", "/venues").catch((exc) => (exc.status === 401 ? Promise.reject(exc) : [])),
    ]);
  } catch (exc) {
    if (exc.status !== 401) showLogin(explain(exc));
    return;
  }
  $("login-view").hidden = true;
  $("login-view").replaceChildren();
  $("workspace").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = me.email || me.name || "";
  const venueNames = Object.fromEntries(venues.map((v) => [v.id, v.name]));
  state.halls = halls;
  const select = $("hall");
  select.replaceChildren(...halls.map((hall) => {
    const option = document.createElement("option");
    option.value = hall.id;
    option.textContent = venueNames[hall.venue_id] ? `${venueNames[hall.venue_id]} · ${hall.name}` : hall.name;
    return option;
  }));
  select.disabled = !halls.length;
  $("hall-open").disabled = !halls.length;
  $("versions").hidden = true;
  if (!halls.length) {
    say(t("hall.none"), "error");
    return;
  }
  const wanted = location.pathname.split("/")[3];
  if (wanted && halls.some((h) => h.id === wanted)) {
    select.value = wanted;
    await openHall(wanted);
  } else {
    say(t("login.done"));
    select.focus();
  }
}

async function openHall(hallId) {
  const hall = state.halls.find((h) => h.id === hallId);
  if (!hall) return;
  if (state.dirty && !window.confirm(t("leave"))) return;
  say(t("hall.loading"));
  try {
    state.hall = hall;
    const layouts = await loadVersions();
    if (layouts.length) {
      await loadLayout(layouts[0].id);
    } else {
      startWith(emptyDocument(hall.name), null);
      say(t("version.empty", { hall: hall.name }));
    }
    history.replaceState(null, "", `/admin/seatmaps/${hall.id}${location.search}`);
  } catch (exc) {
    if (exc.status !== 401) say(explain(exc), "error");
  }
}

export async function loadVersions(selectedId) {
  const layouts = await api("GET", `/halls/${state.hall.id}/layouts`);
  state.layouts = layouts;
  const pick = $("version-pick");
  pick.replaceChildren(...layouts.map((layout) => {
    const option = document.createElement("option");
    option.value = layout.id;
    option.textContent = t("version.option", {
      n: layout.version, seats: number(layout.seat_count),
      date: date(layout.created_at),
    });
    return option;
  }));
  if (selectedId) pick.value = selectedId;
  $("versions").hidden = !layouts.length;
  return layouts;
}

async function loadLayout(layoutId) {
  const layout = await api("GET", `/layouts/${layoutId}`);
  startWith(fromDocument(layout.document), layout.version, true);
  $("version-pick").value = layout.id;
  say(t("version.loaded", {
    n: layout.version, hall: state.hall.name, seats: number(layout.seat_count),
  }), "ok");
}

function startWith(doc, version, internal) {
  state.doc = internal ? doc : fromDocument(doc);
  state.version = version;
  state.selection = new Set();
  state.bad = new Set();
  state.undo = [];
  state.redo = [];
  state.dirty = false;
  state.stageAuto = !version;
  state.genTouched = false;
  state.indexCache = null;
  $("problems").replaceChildren();
  $("editor").hidden = false;
  $("file-actions").hidden = false;
  renderVersionBadge();
  refresh();
  canvas.setZoom(1);
}

export function renderVersionBadge() {
  $("version").textContent = state.version
    ? t("version.badge", { n: state.version }) : t("version.badge_new");
}

export function wireHalls() {
  $("logout").addEventListener("click", logout);
  $("hall-bar").addEventListener("submit", (e) => {
    e.preventDefault();
    openHall($("hall").value);
  });
  $("version-load").addEventListener("click", async () => {
    if (state.dirty && !window.confirm(t("leave"))) return;
    try {
      await loadLayout($("version-pick").value);
    } catch (exc) {
      if (exc.status !== 401) say(explain(exc), "error");
    }
  });
}
