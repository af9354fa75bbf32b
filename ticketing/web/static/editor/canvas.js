// The drawing of the editor: the layout as SVG, and the gestures on it (click, Shift/Ctrl
// click, rectangle, drag). It owns no data: the editor passes the document in and is told
// what the pointer did through `hooks`.

const GREY = "#c8c8c8";
const INK = "#1b1b1f";
const DRAG_THRESHOLD = 4; // screen pixels before a press becomes a drag

const SVG = "http://www.w3.org/2000/svg";
const n = (value) => String(Math.round(value * 100) / 100);
const COLOR = /^#[0-9a-fA-F]{3,8}$/;
const colour = (value) => (COLOR.test(String(value || "")) ? value : "#888888");

// An SVG element built node by node: names and labels typed by staff are set as text
// and attribute values, never parsed as markup.
function svg(name, attributes, ...children) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined) continue;
    node.setAttribute(key, typeof value === "number" ? n(value) : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === "") continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function seatNode(seat, key, zoneColor, size, classes) {
  const r = size * 0.45;
  const blocked = seat.flags.includes("blocked");
  const fill = blocked ? GREY : colour(zoneColor);
  const decor = [];
  if (seat.flags.includes("restricted_view")) {
    decor.push(svg("path", { d: `M0,${n(-r)} A${n(r)},${n(r)} 0 0 1 0,${n(r)} Z`, fill: "#000",
      "fill-opacity": ".38" }));
  }
  if (seat.flags.includes("aisle")) {
    decor.push(svg("circle", { r: size * 0.3, fill: "none", stroke: "#fff", "stroke-width": size * 0.07 }));
  }
  if (seat.flags.includes("wheelchair")) {
    const h = size * 0.18;
    decor.push(svg("rect", { x: -h, y: -h, width: 2 * h, height: 2 * h, fill: "#fff" }));
  }
  if (seat.flags.includes("companion")) {
    decor.push(svg("circle", { r: size * 0.13, fill: "#fff" }));
  }
  if (blocked) {
    const a = size * 0.2;
    decor.push(svg("path", { d: `M${n(-a)},${n(-a)}L${n(a)},${n(a)}M${n(a)},${n(-a)}L${n(-a)},${n(a)}`,
      stroke: INK, "stroke-width": size * 0.08 }));
  }
  return svg("g", { class: `seat${classes}`, "data-id": seat.id, "data-seat": key,
    transform: `translate(${n(seat.x)} ${n(seat.y)})` },
  svg("circle", { class: "ring", r: size * 0.66 }),
  svg("circle", { class: "body", r, fill }), ...decor);
}

function rowLabels(row, size) {
  const seats = row.seats;
  if (!seats.length) return [];
  const font = size * 0.55;
  const end = (seat, neighbour, fallback) => {
    let dx = fallback;
    let dy = 0;
    if (neighbour) {
      const length = Math.hypot(seat.x - neighbour.x, seat.y - neighbour.y) || 1;
      dx = (seat.x - neighbour.x) / length;
      dy = (seat.y - neighbour.y) / length;
    }
    return svg("text", { class: "row-label", x: seat.x + dx * size * 0.95,
      y: seat.y + dy * size * 0.95, "font-size": font }, row.label);
  };
  const first = seats[0];
  const last = seats[seats.length - 1];
  return seats.length > 1 ? [end(first, seats[1], -1), end(last, seats[seats.length - 2], 1)]
    : [end(first, null, -1)];
}

function sectionLabel(section, size) {
  const row = section.rows[0];
  if (!row || !row.seats.length) return null;
  const xs = row.seats.map((s) => s.x);
  const centre = (Math.min(...xs) + Math.max(...xs)) / 2;
  const middle = row.seats.reduce((best, s) =>
    Math.abs(s.x - centre) < Math.abs(best.x - centre) ? s : best);
  return svg("text", { class: "section-label", x: centre, y: middle.y - size * 1.05,
    "font-size": size * 0.8 }, section.name);
}

export class Canvas {
  constructor(wrap, svg, hooks) {
    this.wrap = wrap;
    this.svg = svg;
    this.hooks = hooks;
    this.zoom = 1;
    this.nodes = new Map();
    this.content = svg.querySelector("#canvas-content");
    this.marquee = svg.querySelector("#marquee");
    this.gesture = null;
    svg.addEventListener("pointerdown", (e) => this._down(e));
    svg.addEventListener("pointermove", (e) => this._move(e));
    svg.addEventListener("pointerup", (e) => this._up(e));
    svg.addEventListener("pointercancel", () => this._cancel());
    new ResizeObserver(() => this.applyZoom()).observe(wrap);
  }

  render(doc, selected, bad) {
    this.doc = doc;
    const size = doc.seat_size;
    const zones = Object.fromEntries(doc.price_zones.map((z) => [z.code, z.color]));
    const parts = [svg("rect", { class: "paper", x: 0, y: 0, width: doc.width, height: doc.height })];
    if (doc.stage) {
      const s = doc.stage;
      parts.push(svg("g", { class: "stage" },
        svg("rect", { x: s.x, y: s.y, width: s.width, height: s.height, rx: size * 0.3 }),
        svg("text", { x: s.x + s.width / 2, y: s.y + s.height / 2,
          "font-size": Math.min(size * 0.9, s.height * 0.5) }, s.label)));
    }
    for (const area of doc.standing_areas) {
      const color = colour(zones[area.zone]);
      const cls = (selected.has(area.id) ? " sel" : "") + (bad.has(area.id) ? " bad" : "");
      const font = Math.min(size * 0.7, area.height / 3);
      parts.push(svg("g", { class: `area${cls}`, "data-id": area.id, "data-area": area.code,
        transform: `translate(${n(area.x)} ${n(area.y)})` },
      svg("rect", { class: "area-body", width: area.width, height: area.height, rx: size * 0.4,
        fill: color, "fill-opacity": ".2", stroke: color }),
      svg("text", { x: area.width / 2, y: area.height / 2 - font * 0.6, "font-size": font,
        class: "area-name" }, area.name),
      svg("text", { x: area.width / 2, y: area.height / 2 + font * 0.7, "font-size": font * 0.8,
        class: "area-capacity" }, String(area.capacity))));
    }
    for (const section of doc.sections) {
      parts.push(sectionLabel(section, size));
      for (const row of section.rows) parts.push(...rowLabels(row, size));
    }
    for (const section of doc.sections) {
      for (const row of section.rows) {
        for (const seat of row.seats) {
          const cls = (selected.has(seat.id) ? " sel" : "") + (bad.has(seat.id) ? " bad" : "");
          parts.push(seatNode(seat, `${section.code}/${row.label}/${seat.label}`,
            zones[seat.zone], size, cls));
        }
      }
    }
    this.content.replaceChildren(...parts.filter(Boolean));
    this.nodes = new Map([...this.content.querySelectorAll("[data-id]")]
      .map((node) => [node.dataset.id, node]));
    this.svg.setAttribute("viewBox", `0 0 ${n(doc.width)} ${n(doc.height)}`);
    this.applyZoom();
  }

  // Cheap updates that need no new markup.
  paint(selected, bad) {
    for (const [id, node] of this.nodes) {
      node.classList.toggle("sel", selected.has(id));
      node.classList.toggle("bad", bad.has(id));
    }
  }

  place(id, x, y) {
    const node = this.nodes.get(id);
    if (node) node.setAttribute("transform", `translate(${n(x)} ${n(y)})`);
  }

  node(id) { return this.nodes.get(id); }

  reveal(id) {
    const node = this.nodes.get(id);
    if (!node) return;
    const box = node.getBoundingClientRect();
    const view = this.wrap.getBoundingClientRect();
    if (box.left < view.left || box.right > view.right || box.top < view.top
      || box.bottom > view.bottom) {
      this.wrap.scrollBy({
        left: box.left - view.left - view.width / 2,
        top: box.top - view.top - view.height / 2,
      });
    }
  }

  // Zoom 1 shows the whole drawing in the visible area; more zooms in (and scrolls).
  setZoom(zoom) {
    // Keep what is in the middle of the view in the middle.
    const wrap = this.wrap;
    const cx = (wrap.scrollLeft + wrap.clientWidth / 2) / Math.max(1, wrap.scrollWidth);
    const cy = (wrap.scrollTop + wrap.clientHeight / 2) / Math.max(1, wrap.scrollHeight);
    this.zoom = Math.min(8, Math.max(1, zoom));
    this.applyZoom();
    wrap.scrollLeft = cx * wrap.scrollWidth - wrap.clientWidth / 2;
    wrap.scrollTop = cy * wrap.scrollHeight - wrap.clientHeight / 2;
  }

  applyZoom() {
    if (!this.doc) return;
    const width = this.wrap.clientWidth - 2;
    const height = this.wrap.clientHeight - 2;
    if (width <= 0 || height <= 0) return;
    const scale = Math.min(width / this.doc.width, height / this.doc.height) * this.zoom;
    this.svg.style.width = `${Math.floor(this.doc.width * scale)}px`;
    this.svg.style.height = `${Math.floor(this.doc.height * scale)}px`;
  }

  toUnits(event) {
    const matrix = this.svg.getScreenCTM();
    if (!matrix) return { x: 0, y: 0 };
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return { x: point.x, y: point.y };
  }

  _down(event) {
    if (event.button !== 0 || !this.doc) return;
    event.preventDefault();
    this.wrap.focus({ preventScroll: true });
    const target = event.target.closest("[data-id]");
    const start = this.toUnits(event);
    const additive = event.shiftKey;
    const toggle = event.ctrlKey || event.metaKey;
    this.svg.setPointerCapture(event.pointerId);
    if (target) {
      const id = target.dataset.id;
      const mode = toggle ? "toggle" : additive ? "add" : "press";
      const draggable = this.hooks.press(id, mode);
      this.gesture = draggable ? { kind: "drag", id, mode, start, client: event, moved: false } : null;
    } else {
      this.gesture = { kind: "rect", start, client: event, moved: false, additive: additive || toggle };
    }
  }

  _move(event) {
    const g = this.gesture;
    if (!g) return;
    if (!g.moved) {
      const far = Math.hypot(event.clientX - g.client.clientX, event.clientY - g.client.clientY);
      if (far < DRAG_THRESHOLD) return;
      g.moved = true;
      if (g.kind === "drag") this.hooks.dragStart();
    }
    const p = this.toUnits(event);
    if (g.kind === "drag") {
      this.hooks.drag(p.x - g.start.x, p.y - g.start.y);
    } else {
      const x = Math.min(p.x, g.start.x);
      const y = Math.min(p.y, g.start.y);
      this.marquee.setAttribute("x", n(x));
      this.marquee.setAttribute("y", n(y));
      this.marquee.setAttribute("width", n(Math.abs(p.x - g.start.x)));
      this.marquee.setAttribute("height", n(Math.abs(p.y - g.start.y)));
      this.marquee.setAttribute("visibility", "visible");
    }
  }

  _up(event) {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    const p = this.toUnits(event);
    if (g.kind === "drag") {
      if (g.moved) this.hooks.dragEnd(p.x - g.start.x, p.y - g.start.y);
      else if (g.mode === "press") this.hooks.only(g.id);
      return;
    }
    this.marquee.setAttribute("visibility", "hidden");
    if (g.moved) {
      this.hooks.rect(Math.min(p.x, g.start.x), Math.min(p.y, g.start.y),
        Math.max(p.x, g.start.x), Math.max(p.y, g.start.y), g.additive);
    } else if (!g.additive) {
      this.hooks.clear();
    }
  }

  _cancel() {
    const g = this.gesture;
    this.gesture = null;
    this.marquee.setAttribute("visibility", "hidden");
    if (g && g.kind === "drag" && g.moved) this.hooks.dragEnd(null, null);
  }
}
