// What the admin pages share: the login, the house being managed, the router under
// /admin, and forms that show the API's problem+json errors next to the fields it names.
// Each page (venues.js, events.js, staff.js, devices.js, house.js, audit.js, reports.js)
// registers its routes with Admin.route(); admin.js starts it all. The pages only talk to the JSON API, so they
// can never do what the API refuses.
"use strict";

/* exported Admin */
const Admin = (() => {
  const { el, fill, t, words, explain, ApiError } = Podium;
  const TZ = "Europe/Brussels";
  const HOUSE = "podium.admin.house";
  const $ = (id) => document.getElementById(id);
  const main = () => $("content");
  const routes = [];
  const state = { me: null, houses: [], house: null, clusters: [], eventTypes: null };
  let uid = 0;

  words({
    nl: {
      "admin.title": "Beheer", "admin.skip": "Naar de inhoud", "admin.nav": "Beheer",
      "admin.house": "Huis", "admin.login_intro": "Meld je aan als huisbeheerder of clusterbeheerder.",
      "admin.no_house": "Je beheert geen enkel huis. Vraag een huis- of clusterbeheerder om die rol.",
      "admin.not_found": "Deze pagina bestaat niet.", "admin.loading": "Laden…",
      "nav.events": "Evenementen", "nav.venues": "Locaties en zalen", "nav.staff": "Personeel",
      "nav.devices": "Deurtoestellen", "nav.house": "Huis", "nav.seatmaps": "Zaalplannen",
      "form.check": "Niet opgeslagen: controleer deze velden.", "form.refused": "Niet opgeslagen.",
      "form.required": "verplicht", "form.saved": "Opgeslagen.", "form.save": "Opslaan",
      "form.cancel": "Annuleren", "form.edit": "Bewerken", "form.delete": "Verwijderen",
      "form.yes": "ja", "form.no": "nee", "form.none": "—", "form.add": "Toevoegen",
      "form.euro_hint": "In euro, bijvoorbeeld 25 of 12,50.",
      "form.time_hint": "Tijd in Brussel.",
    },
    fr: {
      "admin.title": "Gestion", "admin.skip": "Aller au contenu", "admin.nav": "Gestion",
      "admin.house": "Maison", "admin.login_intro": "Connectez-vous comme gestionnaire de maison ou de cluster.",
      "admin.no_house": "Vous ne gérez aucune maison. Demandez ce rôle à un gestionnaire de maison ou de cluster.",
      "admin.not_found": "Cette page n'existe pas.", "admin.loading": "Chargement…",
      "nav.events": "Événements", "nav.venues": "Lieux et salles", "nav.staff": "Personnel",
      "nav.devices": "Appareils de contrôle", "nav.house": "Maison", "nav.seatmaps": "Plans de salle",
      "form.check": "Pas enregistré : vérifiez ces champs.", "form.refused": "Pas enregistré.",
      "form.required": "obligatoire", "form.saved": "Enregistré.", "form.save": "Enregistrer",
      "form.cancel": "Annuler", "form.edit": "Modifier", "form.delete": "Supprimer",
      "form.yes": "oui", "form.no": "non", "form.none": "—", "form.add": "Ajouter",
      "form.euro_hint": "En euros, par exemple 25 ou 12,50.",
      "form.time_hint": "Heure de Bruxelles.",
    },
    en: {
      "admin.title": "Admin", "admin.skip": "Skip to content", "admin.nav": "Admin",
      "admin.house": "House", "admin.login_intro": "Log in as a house admin or cluster admin.",
      "admin.no_house": "You manage no house. Ask a house or cluster admin for that role.",
      "admin.not_found": "This page does not exist.", "admin.loading": "Loading…",
      "nav.events": "Events", "nav.venues": "Venues and halls", "nav.staff": "Staff",
      "nav.devices": "Door devices", "nav.house": "House", "nav.seatmaps": "Seat maps",
      "form.check": "Not saved: please check these fields.", "form.refused": "Not saved.",
      "form.required": "required", "form.saved": "Saved.", "form.save": "Save",
      "form.cancel": "Cancel", "form.edit": "Edit", "form.delete": "Delete",
      "form.yes": "yes", "form.no": "no", "form.none": "—", "form.add": "Add",
      "form.euro_hint": "In euros, for example 25 or 12.50.",
      "form.time_hint": "Time in Brussels.",
    },
  });

  // Shared with the seat-map editor, which opens from a hall's page without a second login.
  const session = PodiumLogin.create("admin", { onExpired: () => showLogin(t("login.expired")) });
  const call = session.call;

  // ---- messages ------------------------------------------------------------------------
  function say(text, kind) {
    const region = $(kind === "error" ? "alert" : "notice");
    const other = $(kind === "error" ? "notice" : "alert");
    other.textContent = "";
    other.className = "";
    region.textContent = text || "";
    region.className = text ? `notice ${kind || ""}`.trim() : "";
  }

  // ---- roles ---------------------------------------------------------------------------
  function manages(house) {
    const me = state.me;
    if (me.is_platform_admin) return true;
    return me.roles.some((r) => r.cluster_id === house.cluster_id && (
      r.role === "cluster_admin" || (r.role === "house_admin" && (r.house_id === null || r.house_id === house.id))));
  }

  // Who may read a house's reports: its admins, and finance staff of the house (or of
  // its whole cluster). Finance staff who manage nothing see the reports section only.
  function readsReports(house) {
    return manages(house) || state.me.roles.some((r) => r.role === "finance"
      && r.cluster_id === house.cluster_id && (r.house_id === null || r.house_id === house.id));
  }
  const REPORTS_ONLY = "reports";

  function clusterAdmin(clusterId) {
    const me = state.me;
    return me.is_platform_admin || me.roles.some((r) => r.role === "cluster_admin" && r.cluster_id === clusterId);
  }

  function cluster() {
    return state.clusters.find((c) => c.id === state.house.cluster_id) || null;
  }

  async function eventTypes() {
    if (!state.eventTypes) state.eventTypes = await call("GET", "/public/event-types");
    return state.eventTypes;
  }

  // ---- times and money -----------------------------------------------------------------
  function brusselsParts(date) {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
    const get = (type) => parts.find((p) => p.type === type).value;
    return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
  }

  // A UTC time as a time field shows it: the wall clock in Brussels, written the way the
  // page's language writes it ("03/01/2027 20:00"; see Podium.dateInput).
  function localInput(iso) {
    if (!iso) return "";
    const p = brusselsParts(new Date(iso));
    return Podium.formatDate(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`);
  }

  // A field for a time in Brussels, typed in the page's format.
  function timeInput(attributes) {
    return input(Object.assign({ type: "text", autocomplete: "off", spellcheck: "false",
      placeholder: Podium.dateHint(true), "data-date": "datetime" }, attributes));
  }

  // The UTC time (ISO, with Z) of a wall-clock time in Brussels; summer time included.
  function fromLocalInput(value) {
    const typed = Podium.parseDate(value, true);
    if (typed === "") return null;
    if (typed === null) return value; // the API names what is wrong with it
    const m = typed.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/);
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
    let guess = wall;
    for (let i = 0; i < 3; i += 1) {
      const p = brusselsParts(new Date(guess));
      const shown = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
      if (shown === wall) break;
      guess -= shown - wall;
    }
    return new Date(guess).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  const longWhen = (iso) => (iso ? Podium.when(iso, { weekday: "short", day: "numeric", month: "short",
    year: "numeric", hour: "2-digit", minute: "2-digit" }) : t("form.none"));

  // Cents for an amount typed in euros; NaN (sent as null, so the API names the field)
  // for what is no amount; undefined for an empty field.
  function cents(text) {
    const clean = String(text == null ? "" : text).replace(/[€\s]/g, "").replace(",", ".");
    if (!clean) return undefined;
    return /^\d+(\.\d{1,2})?$/.test(clean) ? Math.round(Number(clean) * 100) : NaN;
  }

  function euroText(amount) {
    if (amount == null) return "";
    return (amount / 100).toFixed(2).replace(".", Podium.lang === "en" ? "." : ",");
  }

  // A whole number typed in a field; undefined when empty, NaN when it is none.
  function whole(text) {
    const clean = String(text == null ? "" : text).trim();
    if (!clean) return undefined;
    return /^-?\d+$/.test(clean) ? Number(clean) : NaN;
  }

  // ---- forms ---------------------------------------------------------------------------
  function nextId(prefix) { uid += 1; return `${prefix || "f"}-${uid}`; }

  // A labelled field. `name` is the API's field name (errors[].field) it answers for.
  function field(label, input, opts) {
    const o = opts || {};
    if (!input.id) input.id = nextId("f");
    if (o.name) input.dataset.field = o.name;
    input.dataset.label = label;
    if (o.required) input.setAttribute("aria-required", "true");
    const hint = o.hint ? el("p", { class: "hint", id: `${input.id}-hint` }, o.hint) : null;
    const error = el("p", { class: "field-error", id: `${input.id}-error` });
    input.setAttribute("aria-describedby", [hint ? hint.id : null, error.id].filter(Boolean).join(" "));
    return el("div", { class: `field${o.wide ? " wide" : ""}` },
      el("label", { for: input.id }, label,
        o.required ? el("span", { class: "required" }, ` (${t("form.required")})`) : null),
      input, hint, error);
  }

  function check(label, input, opts) {
    const o = opts || {};
    if (!input.id) input.id = nextId("c");
    if (o.name) input.dataset.field = o.name;
    input.dataset.label = label;
    const error = el("p", { class: "field-error", id: `${input.id}-error` });
    input.setAttribute("aria-describedby", error.id);
    return el("div", { class: "check-field" },
      el("div", { class: "check" }, input, el("label", { for: input.id }, label)), error);
  }

  // A group of choices (checkboxes) the API names as one field.
  function group(legend, children, opts) {
    const o = opts || {};
    const id = o.id || nextId("g");
    const error = el("p", { class: "field-error", id: `${id}-error` });
    const set = el("fieldset", { id, class: `group${o.wide ? " wide" : ""}${o.bare ? " bare" : ""}`,
      "data-field": o.name || null, "data-label": legend, "aria-describedby": error.id },
    el("legend", { class: o.bare ? "sr-only" : null }, legend), children, error);
    return set;
  }

  const input = (attrs) => el("input", Object.assign({ type: "text" }, attrs));
  const select = (attrs, options, chosen) => el("select", attrs || {}, options.map(([value, text]) =>
    el("option", { value, selected: String(value) === String(chosen == null ? "" : chosen) }, text)));

  function clearErrors(form) {
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
    for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
    fill(form.querySelector(".form-summary"));
  }

  const normalise = (name) => String(name || "").replace(/\[(\d+)\]/g, ".$1").replace(/^body\.?/, "");

  function visible(node) {
    return !node.closest("[hidden]") && !node.disabled;
  }

  // The input (or group) of `form` that answers for the API's field `name`: the same name,
  // else the nearest parent ("prices.0.amount_cents" -> "prices.0" -> "prices").
  function targetOf(form, name) {
    const targets = [...form.querySelectorAll("[data-field]")].filter(visible);
    let wanted = normalise(name);
    while (wanted) {
      const found = targets.find((node) => node.dataset.field === wanted);
      if (found) return found;
      wanted = wanted.includes(".") ? wanted.slice(0, wanted.lastIndexOf(".")) : "";
    }
    return null;
  }

  // The API's problem+json: each message next to the field it names, and all of them in
  // the form's summary (role=alert). The form keeps what was typed: nothing was saved.
  function showErrors(form, failure) {
    const summary = form.querySelector(".form-summary");
    if (!(failure instanceof ApiError)) {
      fill(summary, el("div", { class: "notice error" }, String(failure.message || failure)));
      return;
    }
    const errors = failure.problem.errors || [];
    const items = [];
    let first = null;
    for (const raw of errors) {
      const error = { field: raw.field, message: String(raw.message || "") };
      const target = targetOf(form, error.field);
      if (target) {
        const message = $(`${target.id}-error`);
        if (message) message.textContent = message.textContent ? `${message.textContent} ${error.message}` : error.message;
        if (target.tagName !== "FIELDSET") target.setAttribute("aria-invalid", "true");
        first = first || target;
        items.push(el("li", {}, el("a", { href: `#${target.id}`, onclick: (e) => { e.preventDefault(); focusOn(target); } },
          target.dataset.label), `: ${error.message}`));
      } else {
        const named = normalise(error.field);
        items.push(el("li", {}, named ? `${named}: ${error.message}` : error.message));
      }
    }
    const heading = items.length ? t("form.check") : `${t("form.refused")} ${explain(failure)}`;
    fill(summary, el("div", { class: "notice error" }, el("p", { class: "summary-title" }, heading),
      items.length ? el("ul", {}, items) : null));
    if (first) focusOn(first);
  }

  function focusOn(target) {
    for (let d = target.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
    const node = target.tagName === "FIELDSET" ? target.querySelector("input, select, textarea, button") || target : target;
    node.focus();
  }

  // A form that sends itself with `submit(form)`; errors are shown, never thrown.
  function form(attrs, children, submitText, submit, extra) {
    const button = el("button", { type: "submit" }, submitText);
    const node = el("form", Object.assign({ novalidate: true }, attrs),
      children, el("div", { class: "form-summary" }),
      el("div", { class: "actions" }, button, extra || null));
    // The summary is a live region from the start, so a screen reader hears what fills it.
    node.querySelector(".form-summary").setAttribute("role", "alert");
    let busy = false;
    node.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.setAttribute("aria-disabled", "true");
      clearErrors(node);
      say("");
      try {
        await submit(node);
      } catch (failure) {
        showErrors(node, failure);
      } finally {
        busy = false;
        button.removeAttribute("aria-disabled");
      }
    });
    return node;
  }

  // A button whose action may be refused: the reason goes to the page's alert.
  function action(attrs, text, run) {
    const button = el("button", Object.assign({ type: "button" }, attrs), text);
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      try {
        await run(button);
      } catch (failure) {
        say(explain(failure), "error");
      } finally {
        button.removeAttribute("aria-disabled");
      }
    });
    return button;
  }

  function table(caption, headers, rows, attrs) {
    return el("div", { class: "table-wrap" }, el("table", attrs || {},
      caption ? el("caption", { class: "sr-only" }, caption) : null,
      el("thead", {}, el("tr", {}, headers.map((h) => (typeof h === "string"
        ? el("th", { scope: "col" }, h) : el("th", Object.assign({ scope: "col" }, h.attrs), h.text))))),
      el("tbody", {}, rows)));
  }

  const badge = (kind, text) => el("span", { class: `badge status-${kind}` }, text);

  // ---- pages and routes ----------------------------------------------------------------
  function route(pattern, render, section) { routes.push({ pattern, render, section }); }

  function page(title, ...children) {
    const heading = el("h1", { id: "page-title", tabindex: "-1" }, title);
    fill(main(), heading, ...children);
    document.title = `${title} · Podium ${t("admin.title").toLowerCase()}`;
    return heading;
  }

  let rendering = 0;
  async function render(moveFocus) {
    const ticket = ++rendering;
    document.body.dataset.ready = "false";
    say("");
    let path = location.pathname.replace(/\/+$/, "") || "/admin";
    if (!manages(state.house) && path !== `/admin/${REPORTS_ONLY}`) {
      path = `/admin/${REPORTS_ONLY}`; // finance staff: the reports are their one section
      history.replaceState(null, "", path);
    }
    const match = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
    markNav(match ? match.r.section : null);
    fill(main(), el("p", { class: "muted" }, t("admin.loading")));
    try {
      if (!match) page(t("admin.not_found"));
      else await match.r.render(...match.m.slice(1).map(decodeURIComponent));
    } catch (failure) {
      if (ticket !== rendering || failure.status === 401) return; // the login is showing
      page(failure.status === 404 ? t("admin.not_found") : t("form.refused"),
        el("p", { class: "notice error" }, explain(failure)));
    }
    if (ticket !== rendering) return;
    if (moveFocus && $("page-title")) $("page-title").focus();
    document.body.dataset.ready = "true";
  }

  async function go(path, message, kind) {
    history.pushState(null, "", path);
    await render(true);
    if (message) say(message, kind || "ok");
  }

  // Stay on the page, draw it again (after a change), keep the scroll where it was.
  // `focus`: the id of what the keyboard should be on afterwards (the old node is gone).
  async function refresh(message, focus) {
    const y = window.scrollY;
    await render(false);
    window.scrollTo(0, y);
    const target = focus && $(focus);
    if (target) target.focus();
    if (message) say(message, "ok");
  }

  const NAV = [
    ["events", "/admin/events", "nav.events"],
    ["venues", "/admin/venues", "nav.venues"],
    ["staff", "/admin/staff", "nav.staff"],
    ["devices", "/admin/devices", "nav.devices"],
    ["house", "/admin/house", "nav.house"],
    ["seatmaps", "/admin/seatmaps", "nav.seatmaps"],
    ["audit", "/admin/audit", "nav.audit"],
    ["reports", "/admin/reports", "nav.reports"],
  ];

  function markNav(section) {
    for (const a of document.querySelectorAll("#admin-nav a")) {
      if (a.dataset.section === section) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
  }

  function chrome() {
    document.documentElement.lang = Podium.lang;
    Podium.languageSwitch($("languages"));
    $("skip").textContent = t("admin.skip");
    const nav = $("admin-nav");
    nav.setAttribute("aria-label", t("admin.nav"));
    const loggedIn = Boolean(state.me && state.house);
    nav.hidden = !loggedIn;
    const sections = loggedIn && !manages(state.house) ? NAV.filter(([section]) => section === REPORTS_ONLY) : NAV;
    fill(nav, loggedIn ? el("ul", {}, sections.map(([section, href, key]) =>
      el("li", {}, el("a", { href, "data-section": section }, t(key))))) : null);
    const logout = $("logout");
    logout.hidden = !state.me;
    logout.textContent = t("login.logout");
    $("who").textContent = state.me ? state.me.name || state.me.email : "";
    const switcher = $("house-switch");
    if (loggedIn && state.houses.length > 1) {
      const choice = select({ id: "house", name: "house" }, state.houses.map((h) => [h.id, h.name]), state.house.id);
      choice.addEventListener("change", () => {
        localStorage.setItem(HOUSE, choice.value);
        state.house = state.houses.find((h) => h.id === choice.value);
        chrome();
        // Another house: back to the list of the section, its ids belong to the old one.
        const section = NAV.find(([s]) => location.pathname.startsWith(`/admin/${s}`));
        go(section ? section[1] : "/admin/events");
      });
      fill(switcher, el("label", { for: "house" }, t("admin.house")), choice);
    } else {
      fill(switcher, loggedIn ? el("span", { id: "house-name" }, state.house.name) : null);
    }
  }

  function showLogin(error) {
    state.me = null;
    chrome();
    document.title = `${t("login.title")} · Podium ${t("admin.title").toLowerCase()}`;
    session.form(main(), { title: `Podium · ${t("admin.title").toLowerCase()}`, intro: t("admin.login_intro"),
      error, onLogin: start });
    document.body.dataset.ready = "true";
  }

  async function start() {
    chrome();
    let me;
    try {
      me = await session.restore();
    } catch (failure) {
      fill(main(), el("p", { class: "notice error", role: "alert" }, explain(failure)));
      return;
    }
    if (!me) { showLogin(); return; }
    state.me = me;
    const [houses, clusters] = await Promise.all([call("GET", "/houses"), call("GET", "/clusters")]);
    state.clusters = clusters;
    state.houses = houses.filter(readsReports);
    if (!state.houses.length) {
      state.house = null;
      chrome();
      page(t("admin.title"), el("p", { class: "notice error" }, t("admin.no_house")));
      document.body.dataset.ready = "true";
      return;
    }
    state.house = state.houses.find((h) => h.id === localStorage.getItem(HOUSE)) || state.houses[0];
    chrome();
    await render(false);
  }

  function boot() {
    document.addEventListener("click", (event) => {
      const a = event.target.closest("a[href]");
      if (!a || a.target || event.defaultPrevented || event.button !== 0
        || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      const url = new URL(a.href, location.href);
      if (url.origin !== location.origin || !/^\/admin(\/|$)/.test(url.pathname)
        || url.pathname.startsWith("/admin/seatmaps")) return;
      event.preventDefault();
      go(url.pathname + url.search);
    });
    window.addEventListener("popstate", () => { if (state.me && state.house) render(true); });
    $("logout").addEventListener("click", async () => {
      await session.logout();
      showLogin();
    });
    document.addEventListener("podium:language", () => {
      if (state.me && state.house) { chrome(); render(false); } else if (!state.me) showLogin(); else start();
    });
    start();
  }

  return {
    state, call, say, route, page, go, refresh, render, boot, chrome, manages, readsReports, clusterAdmin, cluster,
    eventTypes, localInput, fromLocalInput, timeInput, longWhen, cents, euroText, whole, field, check,
    group, input, select, form, action, table, badge, nextId, showErrors, clearErrors,
  };
})();
