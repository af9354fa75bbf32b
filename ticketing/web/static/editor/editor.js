// The seat-map editor of house admins (/admin/seatmaps): log in, open a hall, build its
// layout (price zones, generated sections, standing areas, stage), fine-tune seats on the
// drawing, check it with the API and save it as the hall's next version. It only talks to
// the public JSON API, so it can never do what the API refuses (docs/seatmaps.md).
"use strict";

(() => {
  const { t } = EditorI18n;
  const { FLAGS, GeometryError, buildSection, round } = SeatGeometry;
  const $ = (id) => document.getElementById(id);

  const TOKEN_KEY = "podium.editor.token";
  const FORMAT = "podium.seatmap/1";
  const CODE = /^[A-Za-z0-9_-]{1,16}$/;
  const LABEL = /^[^/\s](?:[^/]*[^/\s])?$/;
  const COLOR = /^#[0-9a-fA-F]{6}$/;
  const PALETTE = ["#c0392b", "#2e86c1", "#1e8449", "#8e44ad", "#d35400", "#138d90",
    "#b7950b", "#5d6d7e"];
  const UNDO_LIMIT = 100;

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY),
    halls: [],
    hall: null,
    layouts: [],
    version: null, // version number of the loaded layout, null for a new plan
    doc: null, // the document being edited; seats and areas carry an internal `id`
    selection: new Set(),
    bad: new Set(), // ids named by the last check
    problemsStale: false,
    undo: [],
    redo: [],
    lastCoalesce: null,
    lastChange: 0,
    dirty: false,
    stageAuto: true,
    genTouched: false,
    nextId: 1,
    indexCache: null,
    drag: null,
  };

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || `HTTP ${status}`);
      this.status = status;
      this.problem = problem;
      this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let response;
    try {
      response = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (exc) {
      throw new ApiError(0, { detail: t("error.offline") });
    }
    if (response.status === 204) return null;
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : {};
    if (response.status === 401 && path !== "/auth/login") {
      forgetToken();
      showLogin(t("login.expired"));
    }
    if (!response.ok) throw new ApiError(response.status, data || {});
    return data;
  }

  function explain(error) {
    if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
    if (error.status === 403) return t("error.forbidden");
    if (error.status >= 500) return t("error.unexpected", { status: error.status });
    return error.message;
  }

  // ---------------------------------------------------------------- status line

  function say(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.dataset.kind = kind || "info";
  }

  // ---------------------------------------------------------------- the document

  const newId = (prefix) => `${prefix}${state.nextId++}`;
  const num = (value, fallback) => (Number.isFinite(Number(value)) && value !== "" && value !== null
    ? Number(value) : fallback);

  function fromDocument(doc) {
    const list = (value) => (Array.isArray(value) ? value : []);
    return {
      name: String(doc.name || ""),
      width: num(doc.width, 800),
      height: num(doc.height, 500),
      seat_size: num(doc.seat_size, 20),
      stage: doc.stage ? {
        x: num(doc.stage.x, 0), y: num(doc.stage.y, 0), width: num(doc.stage.width, 100),
        height: num(doc.stage.height, 40), label: String(doc.stage.label ?? "Podium"),
      } : null,
      price_zones: list(doc.price_zones).map((z) => ({
        code: String(z.code), name: String(z.name), color: String(z.color),
      })),
      sections: list(doc.sections).map((s) => ({
        code: String(s.code),
        name: String(s.name),
        rows: list(s.rows).map((r) => ({
          label: String(r.label),
          seats: list(r.seats).map((seat) => ({
            id: newId("s"), label: String(seat.label), x: num(seat.x, 0), y: num(seat.y, 0),
            zone: String(seat.zone), flags: list(seat.flags).map(String),
          })),
        })),
      })),
      standing_areas: list(doc.standing_areas).map((a) => ({
        id: newId("a"), code: String(a.code), name: String(a.name), zone: String(a.zone),
        capacity: num(a.capacity, 1), x: num(a.x, 0), y: num(a.y, 0),
        width: num(a.width, 100), height: num(a.height, 60),
      })),
    };
  }

  // The document as the API expects it (podium.seatmap/1), without the editor's ids.
  function toDocument() {
    const d = state.doc;
    return {
      format: FORMAT,
      name: d.name,
      width: round(d.width),
      height: round(d.height),
      seat_size: d.seat_size,
      stage: d.stage ? {
        x: round(d.stage.x), y: round(d.stage.y), width: round(d.stage.width),
        height: round(d.stage.height), label: d.stage.label,
      } : null,
      price_zones: d.price_zones.map(({ code, name, color }) => ({ code, name, color })),
      sections: d.sections.map((s) => ({
        code: s.code,
        name: s.name,
        rows: s.rows.map((r) => ({
          label: r.label,
          seats: r.seats.map((seat) => ({
            label: seat.label, x: round(seat.x), y: round(seat.y), zone: seat.zone,
            flags: FLAGS.filter((f) => seat.flags.includes(f)),
          })),
        })),
      })),
      standing_areas: d.standing_areas.map((a) => ({
        code: a.code, name: a.name, zone: a.zone, capacity: a.capacity,
        x: round(a.x), y: round(a.y), width: round(a.width), height: round(a.height),
      })),
    };
  }

  function emptyDocument(name) {
    return {
      name: name || "Zaal",
      width: 800,
      height: 400,
      seat_size: 20,
      stage: { x: 250, y: 60, width: 300, height: 60, label: "Podium" },
      price_zones: [{ code: "A", name: t("zone.default_name", { n: 1 }), color: PALETTE[0] }],
      sections: [],
      standing_areas: [],
    };
  }

  // Where every seat and area is: id -> {kind, item, section, row, si, ri, ki}.
  function index() {
    if (state.indexCache) return state.indexCache;
    const map = new Map();
    state.doc.sections.forEach((section, si) => {
      section.rows.forEach((row, ri) => {
        row.seats.forEach((seat, ki) => {
          map.set(seat.id, { kind: "seat", item: seat, section, row, si, ri, ki });
        });
      });
    });
    state.doc.standing_areas.forEach((area, ai) => {
      map.set(area.id, { kind: "area", item: area, ai });
    });
    state.indexCache = map;
    return map;
  }

  const seatKey = (entry) => `${entry.section.code}/${entry.row.label}/${entry.item.label}`;

  function selected(kind) {
    const map = index();
    const out = [];
    for (const id of state.selection) {
      const entry = map.get(id);
      if (entry && (!kind || entry.kind === kind)) out.push(entry);
    }
    return out;
  }

  function seatCount() {
    return state.doc.sections.reduce((sum, s) => sum + s.rows.reduce((n, r) => n + r.seats.length, 0), 0);
  }

  // Rows list their seats left to right (docs/seatmaps.md); keep it so after moves.
  function tidy() {
    for (const section of state.doc.sections) {
      for (const row of section.rows) row.seats.sort((a, b) => a.x - b.x);
      section.rows = section.rows.filter((row) => row.seats.length);
    }
    state.doc.sections = state.doc.sections.filter((section) => section.rows.length);
    state.indexCache = null;
  }

  // Bounding box of what is drawn (seats with room for their row labels, areas, stage).
  function contentBox({ withStage = true } = {}) {
    const d = state.doc;
    const s = d.seat_size;
    let box = null;
    const add = (x0, y0, x1, y1) => {
      box = box ? {
        x0: Math.min(box.x0, x0), y0: Math.min(box.y0, y0),
        x1: Math.max(box.x1, x1), y1: Math.max(box.y1, y1),
      } : { x0, y0, x1, y1 };
    };
    for (const section of d.sections) {
      for (const row of section.rows) {
        for (const seat of row.seats) add(seat.x - s / 2, seat.y - s / 2, seat.x + s / 2, seat.y + s / 2);
      }
    }
    for (const a of d.standing_areas) add(a.x, a.y, a.x + a.width, a.y + a.height);
    if (withStage && d.stage) add(d.stage.x, d.stage.y, d.stage.x + d.stage.width, d.stage.y + d.stage.height);
    return box;
  }

  // Moves everything so that the content has a margin of three seats, and sizes the drawing
  // to it: the same margin the API's generator leaves (room for the row labels).
  function fitDrawing() {
    const box = contentBox();
    if (!box) return;
    const d = state.doc;
    const margin = 3 * d.seat_size;
    const dx = margin - box.x0;
    const dy = margin - box.y0;
    for (const section of d.sections) {
      for (const row of section.rows) {
        for (const seat of row.seats) {
          seat.x = round(seat.x + dx);
          seat.y = round(seat.y + dy);
        }
      }
    }
    for (const a of d.standing_areas) {
      a.x = round(a.x + dx);
      a.y = round(a.y + dy);
    }
    if (d.stage) {
      d.stage.x = round(d.stage.x + dx);
      d.stage.y = round(d.stage.y + dy);
    }
    d.width = round(box.x1 - box.x0 + 2 * margin);
    d.height = round(box.y1 - box.y0 + 2 * margin);
  }

  // The stage centred above the seats, 60 % as wide as they are (as the API's generator).
  function placeStage() {
    const d = state.doc;
    const box = contentBox({ withStage: false });
    if (!d.stage || !box) return;
    const s = d.seat_size;
    d.stage.width = round(Math.max(6 * s, 0.6 * (box.x1 - box.x0)));
    d.stage.height = d.stage.height || 3 * s;
    d.stage.x = round((box.x0 + box.x1) / 2 - d.stage.width / 2);
    d.stage.y = round(box.y0 - 2 * s - d.stage.height);
  }

  // ---------------------------------------------------------------- changes and undo

  const snapshot = () => JSON.stringify({ doc: state.doc, stageAuto: state.stageAuto });

  // Keeps `before` for undo. Changes of the same kind in quick succession (arrow presses)
  // are undone together.
  function remember(before, coalesce) {
    const now = Date.now();
    const same = coalesce && state.lastCoalesce === coalesce && now - state.lastChange < 1500;
    if (!same) {
      state.undo.push(before);
      if (state.undo.length > UNDO_LIMIT) state.undo.shift();
    }
    state.lastCoalesce = coalesce || null;
    state.lastChange = now;
    state.redo = [];
  }

  // Runs `fn` as one undoable change; `fn` returns false when it changed nothing.
  function change(fn, coalesce) {
    const before = snapshot();
    if (fn() === false) return false;
    remember(before, coalesce);
    changed();
    return true;
  }

  function changed() {
    state.dirty = true;
    state.indexCache = null;
    if (state.bad.size || $("problems").childElementCount) {
      state.problemsStale = true;
      state.bad = new Set();
      markProblemsStale();
    }
    refresh();
  }

  function restore(text) {
    const saved = JSON.parse(text);
    state.doc = saved.doc;
    state.stageAuto = saved.stageAuto;
    state.indexCache = null;
    const map = index();
    state.selection = new Set([...state.selection].filter((id) => map.has(id)));
    state.dirty = true;
    state.bad = new Set();
    refresh();
  }

  function undo() {
    if (!state.undo.length) return;
    state.redo.push(snapshot());
    restore(state.undo.pop());
    state.lastCoalesce = null;
    say(t("done.undo"));
  }

  function redo() {
    if (!state.redo.length) return;
    state.undo.push(snapshot());
    restore(state.redo.pop());
    state.lastCoalesce = null;
    say(t("done.redo"));
  }

  // ---------------------------------------------------------------- rendering

  let canvas = null;

  function refresh() {
    if (!state.doc) return;
    canvas.render(state.doc, state.selection, state.bad);
    renderDocFields();
    renderZones();
    renderZoneOptions();
    renderAreas();
    renderStructure();
    renderInspector();
    renderCounts();
    renderLegend();
    renderGenDefaults();
    $("dirty").hidden = !state.dirty;
    $("undo").disabled = !state.undo.length;
    $("redo").disabled = !state.redo.length;
  }

  // Sets a field's value unless the house admin is typing in it.
  function setValue(id, value) {
    const input = $(id);
    if (document.activeElement !== input) input.value = value;
  }

  function renderDocFields() {
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

  function zoneUse() {
    const use = {};
    for (const section of state.doc.sections) {
      for (const row of section.rows) {
        for (const seat of row.seats) use[seat.zone] = (use[seat.zone] || 0) + 1;
      }
    }
    return use;
  }

  function renderZones() {
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
    item.innerHTML = `<input type="color" class="zone-color"><input class="zone-code" maxlength="16"`
      + ` spellcheck="false" autocomplete="off"><input class="zone-name" maxlength="100" autocomplete="off">`
      + `<button type="button" class="zone-remove danger icon">`
      + `<span aria-hidden="true">×</span></button>`;
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

  function renderZoneOptions() {
    fillZoneSelect($("gen-zone"));
    fillZoneSelect($("area-zone"));
    fillZoneSelect($("area-edit-zone"));
    fillZoneSelect($("sel-zone"), { mixed: true });
  }

  function renderAreas() {
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
      remove.innerHTML = '<span aria-hidden="true">×</span>';
      remove.setAttribute("aria-label", t("area.remove_of", { name: area.name }));
      remove.addEventListener("click", () => removeArea(area.id));
      item.append(text, pick, remove);
      return item;
    }));
  }

  function renderStructure() {
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

  function renderRows() {
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

  function renderInspector() {
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

  function renderCounts() {
    const d = state.doc;
    $("counts").textContent = t("counts", {
      seats: EditorI18n.number(seatCount()),
      sections: d.sections.length,
      standing: EditorI18n.number(d.standing_areas.reduce((n, a) => n + a.capacity, 0)),
    });
  }

  function renderLegend() {
    const use = zoneUse();
    const items = state.doc.price_zones.map((z) => {
      const item = document.createElement("li");
      item.innerHTML = `<svg class="swatch" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="9"`
        + ` fill="${COLOR.test(z.color) ? z.color : "#888888"}"/></svg>`;
      item.append(`${z.name} (${z.code}): ${t("zone.count", { n: use[z.code] || 0 })}`);
      return item;
    });
    const marks = {
      wheelchair: '<rect x="6" y="6" width="8" height="8" fill="#fff"/>',
      companion: '<circle cx="10" cy="10" r="3" fill="#fff"/>',
      restricted_view: '<path d="M10,1 A9,9 0 0 1 10,19 Z" fill="#000" fill-opacity=".38"/>',
      aisle: '<circle cx="10" cy="10" r="6" fill="none" stroke="#fff" stroke-width="1.6"/>',
      blocked: '<path d="M6,6L14,14M14,6L6,14" stroke="#1b1b1f" stroke-width="2"/>',
    };
    for (const flag of FLAGS) {
      const item = document.createElement("li");
      const fill = flag === "blocked" ? "#c8c8c8" : "#5d6d7e";
      item.innerHTML = `<svg class="swatch" viewBox="0 0 20 20" aria-hidden="true"><circle cx="10" cy="10" r="9"`
        + ` fill="${fill}"/>${marks[flag]}</svg>`;
      item.append(t(`flag.${flag}`));
      items.push(item);
    }
    $("legend").replaceChildren(...items);
  }

  // Where the next section goes: centred under what is already there.
  function renderGenDefaults() {
    if (state.genTouched) return;
    const d = state.doc;
    const box = contentBox();
    const centre = d.stage ? d.stage.x + d.stage.width / 2
      : box ? (box.x0 + box.x1) / 2 : d.width / 2;
    const top = box ? box.y1 + 2 * d.seat_size : 3 * d.seat_size;
    setValue("gen-x", round(centre));
    setValue("gen-y", round(top));
    const areaBottom = box ? box.y1 + d.seat_size : 3 * d.seat_size;
    setValue("area-x", round(centre - 10 * d.seat_size));
    setValue("area-y", round(areaBottom));
    if (!$("area-width").value) $("area-width").value = 20 * d.seat_size;
    if (!$("area-height").value) $("area-height").value = 8 * d.seat_size;
  }

  // ---------------------------------------------------------------- problems

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

  function showProblems(problems, lead) {
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

  function markProblemsStale() {
    const box = $("problems");
    if (!box.childElementCount || box.querySelector(".stale")) return;
    const note = document.createElement("p");
    note.className = "stale";
    note.textContent = t("problems.stale");
    box.append(note);
  }

  // ---------------------------------------------------------------- selection

  function selectionChanged() {
    canvas.paint(state.selection, state.bad);
    renderInspector();
  }

  function selectOnly(ids) {
    state.selection = new Set(ids);
    selectionChanged();
  }

  const hooks = {
    press(id, mode) {
      if (mode === "toggle") {
        if (state.selection.has(id)) state.selection.delete(id);
        else state.selection.add(id);
        selectionChanged();
        return state.selection.has(id);
      }
      if (mode === "add") state.selection.add(id);
      else if (!state.selection.has(id)) state.selection = new Set([id]);
      selectionChanged();
      return true;
    },
    only(id) { selectOnly([id]); },
    clear() { selectOnly([]); },
    rect(x0, y0, x1, y1, additive) {
      const inside = [];
      for (const [id, e] of index()) {
        const it = e.item;
        const hit = e.kind === "seat"
          ? it.x >= x0 && it.x <= x1 && it.y >= y0 && it.y <= y1
          : it.x >= x0 && it.y >= y0 && it.x + it.width <= x1 && it.y + it.height <= y1;
        if (hit) inside.push(id);
      }
      if (additive) inside.forEach((id) => state.selection.add(id));
      else state.selection = new Set(inside);
      selectionChanged();
    },
    dragStart() {
      remember(snapshot(), null);
      state.drag = { start: new Map(selected().map((e) => [e.item.id, { x: e.item.x, y: e.item.y }])), dx: 0, dy: 0 };
    },
    drag(dx, dy) {
      const drag = state.drag;
      if (!drag) return;
      drag.dx = dx;
      drag.dy = dy;
      const map = index();
      for (const [id, start] of drag.start) {
        const item = map.get(id).item;
        item.x = start.x + dx;
        item.y = start.y + dy;
        canvas.place(id, item.x, item.y);
      }
    },
    dragEnd(dx, dy) {
      const drag = state.drag;
      if (!drag) return;
      hooks.drag(dx ?? drag.dx, dy ?? drag.dy);
      state.drag = null;
      const map = index();
      for (const id of drag.start.keys()) {
        const item = map.get(id).item;
        item.x = round(item.x);
        item.y = round(item.y);
      }
      tidy();
      changed();
      say(t("done.moved", { what: describe(selected()) }));
    },
  };

  // "12 seats", "1 standing area", "12 seats + 1 standing area".
  function describe(items) {
    const seats = items.filter((e) => e.kind === "seat").length;
    const areas = items.length - seats;
    return [seats && t("zone.count", { n: seats }), areas && t("area.count", { n: areas })]
      .filter(Boolean).join(" + ");
  }

  function nudge(dx, dy) {
    const items = selected();
    if (!items.length) return;
    change(() => {
      for (const e of items) {
        e.item.x = round(e.item.x + dx);
        e.item.y = round(e.item.y + dy);
      }
      tidy();
    }, "nudge");
    say(t("done.moved", { what: describe(items) }));
  }

  // ---------------------------------------------------------------- actions on the selection

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

  function removeSelection() {
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

  // ---------------------------------------------------------------- zones

  function checkText(input, test, key, values) {
    const ok = test(input.value);
    if (ok) input.removeAttribute("aria-invalid");
    else input.setAttribute("aria-invalid", "true");
    return ok ? null : t(key, values);
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

  // ---------------------------------------------------------------- generate

  function usedCodes(except) {
    return new Set([...state.doc.sections.filter((s) => s !== except).map((s) => s.code),
      ...state.doc.standing_areas.map((a) => a.code)]);
  }

  // A whole number or decimal from a field within [min, max], or an error message.
  function readNumber(id, min, max, { integer = false, optional = false } = {}) {
    const input = $(id);
    const raw = input.value.trim();
    if (optional && raw === "") {
      input.removeAttribute("aria-invalid");
      return { value: null };
    }
    const value = Number(raw);
    if (raw === "" || !Number.isFinite(value) || value < min || value > max
      || (integer && !Number.isInteger(value))) {
      input.setAttribute("aria-invalid", "true");
      return { error: t("err.number", { field: input.labels[0].textContent, min, max }) };
    }
    input.removeAttribute("aria-invalid");
    return { value };
  }

  function generate(event) {
    event.preventDefault();
    const errorBox = $("gen-error");
    const code = $("gen-code");
    const name = $("gen-name");
    let error = checkText(code, (v) => CODE.test(v), "err.code")
      || checkText(code, (v) => !usedCodes().has(v), "err.code_taken", { code: code.value })
      || checkText(name, (v) => v.trim() !== "", "err.name");
    const zone = $("gen-zone").value;
    if (!error && !zone) error = t("gen.err.zone");
    const numbers = {};
    const wanted = [
      ["rows", "gen-rows", 1, 100, { integer: true }],
      ["seats_per_row", "gen-seats", 1, 200, { integer: true }],
      ["seats_per_row_step", "gen-step", 0, 200, { integer: true }],
      ["first_row", "gen-first-row", 1, 1000, { integer: true }],
      ["curvature", "gen-curvature", 0, 100, {}],
      ["wheelchair_row", "gen-wheelchair-row", 1, 100, { integer: true, optional: true }],
      ["row_spacing", "gen-row-spacing", 1, 10, {}],
      ["seat_spacing", "gen-seat-spacing", 1, 10, {}],
      ["x", "gen-x", -100000, 100000, {}],
      ["y", "gen-y", -100000, 100000, {}],
    ];
    for (const [key, id, min, max, options] of wanted) {
      const read = readNumber(id, min, max, options);
      if (read.error && !error) error = read.error;
      numbers[key] = read.value;
    }
    const aisleText = $("gen-aisles").value.trim();
    const aisles = aisleText ? aisleText.split(/[\s,;]+/).filter(Boolean).map(Number) : [];
    if (!error && (aisles.some((a) => !Number.isInteger(a)) || new Set(aisles).size !== aisles.length)) {
      $("gen-aisles").setAttribute("aria-invalid", "true");
      error = t("gen.err.aisle", { n: aisleText, seats: numbers.seats_per_row });
    }
    if (error) {
      errorBox.textContent = error;
      return;
    }
    $("gen-aisles").removeAttribute("aria-invalid");
    const block = {
      code: code.value,
      name: name.value.trim(),
      zone,
      rows: numbers.rows,
      seats_per_row: numbers.seats_per_row,
      seats_per_row_step: numbers.seats_per_row_step,
      numbering: $("gen-numbering").value,
      row_labels: $("gen-row-labels").value,
      first_row: numbers.first_row,
      curvature: numbers.curvature,
      row_spacing: numbers.row_spacing,
      seat_spacing: numbers.seat_spacing,
      wheelchair_row: numbers.wheelchair_row,
      aisle_after: aisles,
    };
    let section;
    try {
      section = buildSection(block, { centreX: numbers.x, top: numbers.y, size: state.doc.seat_size });
    } catch (exc) {
      if (!(exc instanceof GeometryError)) throw exc;
      errorBox.textContent = t(exc.key, exc.values);
      return;
    }
    errorBox.textContent = "";
    const count = section.rows.reduce((n, r) => n + r.seats.length, 0);
    change(() => {
      for (const row of section.rows) for (const seat of row.seats) seat.id = newId("s");
      state.doc.sections.push(section);
      if (state.stageAuto) placeStage();
      fitDrawing();
      state.genTouched = false;
      state.selection = new Set();
    });
    $("pick-section").value = String(state.doc.sections.length - 1);
    renderRows();
    canvas.setZoom(1);
    say(t("gen.added", { code: section.code, rows: section.rows.length, seats: count }), "ok");
  }

  // ---------------------------------------------------------------- standing areas

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

  // ---------------------------------------------------------------- structure

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

  // ---------------------------------------------------------------- hall and stage fields

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

  // ---------------------------------------------------------------- check and save

  async function validate() {
    if (!state.doc) return;
    say(t("validate.busy"));
    try {
      const report = await api("POST", "/seatmaps/validate", toDocument());
      if (report.valid) {
        showProblems([]);
        say(t("validate.ok", {
          seats: EditorI18n.number(report.seat_count),
          standing: EditorI18n.number(report.standing_capacity),
        }), "ok");
      } else {
        showProblems(report.problems);
        say(t("validate.bad", { n: report.problems.length }), "error");
      }
    } catch (exc) {
      if (exc.status === 401) return;
      showProblems(exc.errors || [], exc.errors && exc.errors.length ? exc.message : explain(exc));
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
      say(t("version.saved", { n: out.version, seats: EditorI18n.number(out.seat_count) }), "ok");
    } catch (exc) {
      if (exc.status === 401) return;
      showProblems(exc.errors || [], `${t("problems.not_saved")} ${explain(exc)}`);
      say(t("save.failed", { detail: explain(exc) }), "error");
    } finally {
      $("save").disabled = false;
      renderVersionBadge();
    }
  }

  // ---------------------------------------------------------------- import and export

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
    } catch (exc) {
      say(t("import.failed"), "error");
      return;
    }
    // The API reads the file first: a field it does not know is an error, not dropped.
    let report;
    try {
      report = await api("POST", "/seatmaps/validate", raw);
    } catch (exc) {
      if (exc.status === 401) return;
      showProblems(exc.errors || [], `${t("import.failed")} ${explain(exc)}`);
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

  // ---------------------------------------------------------------- login, halls, versions

  function forgetToken() {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
  }

  function showLogin(message) {
    $("login-view").hidden = false;
    $("workspace").hidden = true;
    $("logout").hidden = true;
    $("who").textContent = "";
    $("login-error").textContent = message || "";
    $("login-email").focus();
  }

  async function login(event) {
    event.preventDefault();
    const email = $("login-email");
    const password = $("login-password");
    $("login-error").textContent = "";
    if (!email.value.trim() || !password.value) {
      $("login-error").textContent = t("login.failed");
      return;
    }
    $("login-submit").disabled = true;
    say(t("login.busy"));
    try {
      const tokens = await api("POST", "/auth/login", {
        email: email.value.trim(), password: password.value,
      });
      state.token = tokens.access_token;
      sessionStorage.setItem(TOKEN_KEY, state.token);
      password.value = "";
      await enter();
    } catch (exc) {
      $("login-error").textContent = exc.status === 0 ? explain(exc) : t("login.failed");
      say("");
    } finally {
      $("login-submit").disabled = false;
    }
  }

  async function logout() {
    try {
      await api("POST", "/auth/logout");
    } catch (exc) {
      // Logged out anyway: the token is forgotten below.
    }
    forgetToken();
    state.doc = null;
    state.hall = null;
    state.dirty = false;
    $("editor").hidden = true;
    showLogin("");
    say("");
  }

  // After login (or with a token kept in this tab): the halls of the house.
  async function enter() {
    let me;
    let halls;
    let venues;
    try {
      [me, halls, venues] = await Promise.all([
        api("GET", "/auth/me"), api("GET", "/halls"),
        // Venue names only make the hall list clearer; the halls are what matters.
        api("GET", "/venues").catch((exc) => (exc.status === 401 ? Promise.reject(exc) : [])),
      ]);
    } catch (exc) {
      if (exc.status !== 401) showLogin(explain(exc));
      return;
    }
    $("login-view").hidden = true;
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

  async function loadVersions(selectedId) {
    const layouts = await api("GET", `/halls/${state.hall.id}/layouts`);
    state.layouts = layouts;
    const pick = $("version-pick");
    pick.replaceChildren(...layouts.map((layout) => {
      const option = document.createElement("option");
      option.value = layout.id;
      option.textContent = t("version.option", {
        n: layout.version, seats: EditorI18n.number(layout.seat_count),
        date: EditorI18n.date(layout.created_at),
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
      n: layout.version, hall: state.hall.name, seats: EditorI18n.number(layout.seat_count),
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

  function renderVersionBadge() {
    $("version").textContent = state.version
      ? t("version.badge", { n: state.version }) : t("version.badge_new");
  }

  // ---------------------------------------------------------------- keyboard

  function onCanvasKey(event) {
    const size = state.doc ? state.doc.seat_size : 20;
    const step = event.shiftKey ? size : size / 4;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      event.preventDefault();
      nudge(...moves[event.key]);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      removeSelection();
    } else if (event.key === "Escape") {
      selectOnly([]);
    } else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") {
      event.preventDefault();
      selectOnly([...index().keys()]);
    }
  }

  function onGlobalKey(event) {
    if (!state.doc || $("editor").hidden) return;
    const typing = event.target.closest && event.target.closest("input, select, textarea");
    if (typing || !(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if (key === "y" || (key === "z" && event.shiftKey)) {
      event.preventDefault();
      redo();
    }
  }

  // ---------------------------------------------------------------- wiring

  function setLanguage(lang) {
    EditorI18n.set(lang);
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === EditorI18n.lang));
    }
    document.title = `Podium · ${t("app.title")}`;
    if (state.doc) {
      refresh();
      renderVersionBadge();
      if (state.layouts.length) loadVersions($("version-pick").value).catch(() => {});
      const problems = $("problems");
      if (problems.querySelector(".stale")) problems.querySelector(".stale").textContent = t("problems.stale");
    }
  }

  function wire() {
    canvas = new SeatCanvas.Canvas($("canvas-wrap"), $("canvas"), hooks);
    for (const button of document.querySelectorAll("[data-lang]")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang));
    }
    $("login-form").addEventListener("submit", login);
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

    $("zone-form").addEventListener("submit", addZone);
    $("gen-form").addEventListener("submit", generate);
    for (const id of ["gen-x", "gen-y"]) $(id).addEventListener("input", () => { state.genTouched = true; });
    $("area-form").addEventListener("submit", addArea);
    for (const field of ["name", "zone", "capacity", "width", "height"]) {
      $(`area-edit-${field}`).addEventListener("change", (e) => editArea(field, e.target));
    }

    $("undo").addEventListener("click", undo);
    $("redo").addEventListener("click", redo);
    $("zoom-in").addEventListener("click", () => canvas.setZoom(canvas.zoom * 1.5));
    $("zoom-out").addEventListener("click", () => canvas.setZoom(canvas.zoom / 1.5));
    $("zoom-fit").addEventListener("click", () => canvas.setZoom(1));
    $("validate").addEventListener("click", validate);
    $("save").addEventListener("click", save);
    $("export").addEventListener("click", exportJson);
    $("import").addEventListener("click", () => $("import-file").click());
    $("import-file").addEventListener("change", (e) => {
      const file = e.target.files[0];
      e.target.value = "";
      if (file) importJson(file);
    });

    $("canvas-wrap").addEventListener("keydown", onCanvasKey);
    document.addEventListener("keydown", onGlobalKey);

    $("select-all").addEventListener("click", () => selectOnly([...index().keys()]));
    $("select-none").addEventListener("click", () => selectOnly([]));
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
    for (const button of document.querySelectorAll("[data-move]")) {
      button.addEventListener("click", () => {
        const [dx, dy] = button.dataset.move.split(",").map(Number);
        const step = state.doc.seat_size / 4;
        nudge(dx * step, dy * step);
      });
    }
    $("sel-delete").addEventListener("click", removeSelection);

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

    window.addEventListener("beforeunload", (event) => {
      if (state.dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  async function start() {
    wire();
    setLanguage(EditorI18n.lang);
    if (state.token) await enter();
    else showLogin("");
    document.body.dataset.ready = "true";
  }

  start();
})();
