// The live seat map of the shop and the box office: the hall's SVG from the API, with
// every seat a keyboard- and screen-reader-usable toggle, zoom, and live states.
"use strict";

/* exported SeatMap */
const SeatMap = (() => {
  const { t, words, el, money } = Podium;
  const FLAGS = { "seat-wheelchair": "seat.wheelchair", "seat-companion": "seat.companion",
    "seat-restricted-view": "seat.restricted" };
  const GREY = "#c8c8c8";

  words({
    nl: { "seat.place": "{section}, rij {row}, stoel {seat}",
      "seat.label": "{place}, {zone}{price}{flags}: {state}",
      "seat.free": "vrij", "seat.taken": "niet beschikbaar", "seat.mine": "in je mandje",
      "seat.wheelchair": "rolstoelplaats", "seat.companion": "begeleidersplaats",
      "seat.restricted": "beperkt zicht", "map.zoom_in": "Inzoomen", "map.zoom_out": "Uitzoomen",
      "map.help": "Pijltjestoetsen: naar een andere stoel. Enter of spatie: kiezen of teruggeven.",
      "map.label": "Zaalplan", "map.area": "{name}: {n} vrije staanplaatsen" },
    fr: { "seat.place": "{section}, rang {row}, siège {seat}",
      "seat.label": "{place}, {zone}{price}{flags} : {state}",
      "seat.free": "libre", "seat.taken": "indisponible", "seat.mine": "dans votre panier",
      "seat.wheelchair": "place PMR", "seat.companion": "place accompagnant",
      "seat.restricted": "visibilité réduite", "map.zoom_in": "Zoomer", "map.zoom_out": "Dézoomer",
      "map.help": "Flèches : autre siège. Entrée ou espace : choisir ou rendre.",
      "map.label": "Plan de salle", "map.area": "{name} : {n} places debout libres" },
    en: { "seat.place": "{section}, row {row}, seat {seat}",
      "seat.label": "{place}, {zone}{price}{flags}: {state}",
      "seat.free": "free", "seat.taken": "not available", "seat.mine": "in your basket",
      "seat.wheelchair": "wheelchair space", "seat.companion": "companion seat",
      "seat.restricted": "restricted view", "map.zoom_in": "Zoom in", "map.zoom_out": "Zoom out",
      "map.help": "Arrow keys: another seat. Enter or space: choose or give back.",
      "map.label": "Seat map", "map.area": "{name}: {n} standing places free" },
  });

  // A seat's name as people read it ("Parterre, rij E, stoel 3"), from its key and the
  // names of the hall's sections by code (the code itself when a name is not known).
  function place(key, sectionNames) {
    const [section, row, seat] = key.split("/");
    return t("seat.place", { section: (sectionNames && sectionNames[section]) || section, row, seat });
  }

  class SeatPlan {
    // options: onSeat(key) when a seat is chosen or given back.
    constructor(container, options) {
      this.container = container;
      this.options = options;
      this.zoom = 1;
      this.zones = {};
      this.mine = new Set();
      this.taken = new Set();
    }

    async load(svgUrl) {
      const response = await fetch(svgUrl);
      if (!response.ok) throw new Error(`seat map: HTTP ${response.status}`);
      const text = await response.text();
      const tools = el("div", { class: "map-tools" },
        el("button", { type: "button", class: "zoom-out", "aria-label": t("map.zoom_out"),
          onclick: () => this.setZoom(this.zoom / 1.5) }, "−"),
        el("button", { type: "button", class: "zoom-in", "aria-label": t("map.zoom_in"),
          onclick: () => this.setZoom(this.zoom * 1.5) }, "+"),
        el("span", { class: "map-help", id: `${this.container.id}-help` }, t("map.help")));
      this.viewport = el("div", { class: "map-viewport", role: "group",
        "aria-label": t("map.label"), "aria-describedby": `${this.container.id}-help` });
      // Parsed as XML, not as HTML: whatever the drawing's labels say, they stay text.
      const drawing = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (drawing.namespaceURI !== "http://www.w3.org/2000/svg") throw new Error("seat map: not an SVG");
      this.svg = document.importNode(drawing, true);
      this.viewport.append(this.svg);
      this.svg.removeAttribute("role");
      this.svg.setAttribute("aria-hidden", "false");
      this.container.replaceChildren(tools, this.viewport);
      this.seats = [...this.svg.querySelectorAll("circle.seat")];
      this.byKey = new Map(this.seats.map((c) => [c.dataset.seat, c]));
      this.rows = [...this.svg.querySelectorAll("g.row")].map((g) =>
        [...g.querySelectorAll("circle.seat")]);
      for (const circle of this.seats) this._enhance(circle);
      for (const title of this.svg.querySelectorAll("circle.seat > title")) title.remove();
      this.svg.addEventListener("click", (event) => {
        const seat = event.target.closest("circle.seat");
        if (seat) this._choose(seat);
      });
      this.svg.addEventListener("keydown", (event) => this._key(event));
      if (this.seats.length) this.seats[0].setAttribute("tabindex", "0");
    }

    _enhance(circle) {
      const title = circle.querySelector("title");
      const section = title ? title.textContent.split(",")[0].replace(/^Section /, "") : "";
      const [, row, seat] = circle.dataset.seat.split("/");
      circle.dataset.section = section;
      circle.dataset.row = row;
      circle.dataset.label = seat;
      circle.dataset.zone = [...circle.classList].find((c) => c.startsWith("zone-")).slice(5);
      circle.setAttribute("role", "checkbox");
      circle.setAttribute("tabindex", "-1");
    }

    setZones(zones) {
      this.zones = Object.fromEntries(zones.map((z) => [z.zone, z]));
    }

    // The live state: seats held or sold by others, and the ones in this basket.
    setStates(availability, mine) {
      this.mine = new Set(mine);
      this.taken = new Set([...availability.held, ...availability.sold, ...availability.blocked]
        .filter((k) => !this.mine.has(k)));
      for (const circle of this.seats) this._paint(circle);
    }

    _state(key) {
      if (this.mine.has(key)) return "mine";
      return this.taken.has(key) ? "taken" : "free";
    }

    _paint(circle) {
      const key = circle.dataset.seat;
      const state = this._state(key);
      const zone = this.zones[circle.dataset.zone];
      circle.dataset.state = state === "free" ? "available" : state === "mine" ? "mine" : "taken";
      circle.setAttribute("fill", state === "taken" ? GREY : zone ? zone.color : "#888888");
      circle.classList.toggle("seat-mine", state === "mine");
      circle.setAttribute("aria-checked", String(state === "mine"));
      circle.setAttribute("aria-disabled", String(state === "taken"));
      const flags = Object.entries(FLAGS).filter(([c]) => circle.classList.contains(c))
        .map(([, k]) => `, ${t(k)}`).join("");
      circle.setAttribute("aria-label", t("seat.label", {
        place: place(circle.dataset.seat, { [circle.dataset.seat.split("/")[0]]: circle.dataset.section }),
        zone: zone ? zone.name : circle.dataset.zone,
        price: zone && zone.price_cents != null ? `, ${money(zone.price_cents)}` : "",
        flags, state: t(state === "free" ? "seat.free" : state === "mine" ? "seat.mine" : "seat.taken"),
      }));
    }

    repaint() { for (const circle of this.seats) this._paint(circle); }

    seat(key) { return this.byKey.get(key); }

    focus(key) {
      const circle = this.byKey.get(key);
      if (circle) this._focus(circle);
    }

    _choose(circle) {
      this._focus(circle);
      if (circle.dataset.state === "taken") return;
      this.options.onSeat(circle.dataset.seat, circle.dataset.state === "mine");
    }

    _focus(circle) {
      for (const c of this.svg.querySelectorAll('circle.seat[tabindex="0"]')) {
        c.setAttribute("tabindex", "-1");
      }
      circle.setAttribute("tabindex", "0");
      circle.focus();
    }

    _key(event) {
      const circle = event.target.closest && event.target.closest("circle.seat");
      if (!circle) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this._choose(circle);
        return;
      }
      const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      const r = this.rows.findIndex((row) => row.includes(circle));
      const row = this.rows[r];
      if (move[1]) {
        const next = row[row.indexOf(circle) + move[1]];
        if (next) this._focus(next);
        return;
      }
      const other = this.rows[r + move[0]];
      if (!other || !other.length) return;
      const x = Number(circle.getAttribute("cx"));
      const nearest = other.reduce((best, c) =>
        Math.abs(Number(c.getAttribute("cx")) - x) < Math.abs(Number(best.getAttribute("cx")) - x)
          ? c : best);
      this._focus(nearest);
    }

    setZoom(zoom) {
      this.zoom = Math.min(4, Math.max(1, zoom));
      this.svg.setAttribute("width", `${Math.round(this.zoom * 100)}%`);
    }
  }

  return { SeatPlan, place };
})();
