// Sections of regular rows, built in the browser so that the editor shows them at once and
// the house admin can fine-tune them before anything is saved. The rules are those of
// ticketing/seatmaps/generator.py (docs/seatmaps.md, "Generator"): the same numbering,
// curvature and aisles, so a section looks the same whether the API or the editor made it.
"use strict";

const SeatGeometry = (() => {
  const MAX_SEATS_PER_ROW = 200;
  const FLAGS = ["wheelchair", "companion", "restricted_view", "aisle", "blocked"];

  // A rule the block breaks: a key of EditorStrings and its values.
  class GeometryError extends Error {
    constructor(key, values) {
      super(key);
      this.key = key;
      this.values = values || {};
    }
  }

  function rowLabel(index, style) {
    if (style === "numbers") return String(index);
    let letters = "";
    while (index > 0) {
      const remainder = (index - 1) % 26;
      index = Math.floor((index - 1) / 26);
      letters = String.fromCharCode(65 + remainder) + letters;
    }
    return letters;
  }

  // Seat numbers of a row, left to right as seen from the audience.
  function seatLabels(count, numbering) {
    if (numbering !== "odd_even") return Array.from({ length: count }, (_, i) => String(i + 1));
    const left = Math.floor(count / 2);
    const labels = [];
    for (let i = 0; i < left; i++) labels.push(String(2 * (left - i)));
    for (let j = 0; j < count - left; j++) labels.push(String(2 * j + 1));
    return labels;
  }

  const seatsInRow = (block, r) => block.seats_per_row + r * block.seats_per_row_step;

  // Seats (true) and aisle gaps (false) of a row, left to right; extra seats of wider rows
  // go half to each side, so an aisle stays between the same seats all the way back.
  function rowPattern(block, r) {
    const aisles = new Set(block.aisle_after);
    const pattern = [];
    for (let position = 1; position <= block.seats_per_row; position++) {
      pattern.push(true);
      if (aisles.has(position)) pattern.push(false);
    }
    const extra = r * block.seats_per_row_step;
    const left = Math.floor(extra / 2);
    return [...Array(left).fill(true), ...pattern, ...Array(extra - left).fill(true)];
  }

  function firstRowRadius(block) {
    if (!block.curvature) return null;
    const gaps = rowPattern(block, 0).length - 1;
    if (gaps === 0) throw new GeometryError("gen.err.curve_two");
    const spacing = block.seat_spacing;
    const sagitta = (half) => spacing * (1 - Math.cos(half)) / (2 * Math.sin(half / gaps));
    const strongest = sagitta(Math.PI / 2);
    if (block.curvature > strongest + 1e-9) {
      throw new GeometryError("gen.err.curve_max", { max: Math.floor(strongest * 100) / 100 });
    }
    let low = 0;
    let high = Math.PI / 2;
    for (let i = 0; i < 100; i++) {
      const middle = (low + high) / 2;
      if (sagitta(middle) < block.curvature) low = middle;
      else high = middle;
    }
    return spacing / (2 * Math.sin(high / gaps));
  }

  function rowArcs(block) {
    const first = firstRowRadius(block);
    if (first === null) return null;
    const arcs = [];
    for (let r = 0; r < block.rows; r++) {
      const radius = first + r * block.row_spacing;
      const step = 2 * Math.asin(block.seat_spacing / (2 * radius));
      const slots = rowPattern(block, r).length;
      if ((slots - 1) * step > Math.PI + 1e-9) {
        throw new GeometryError("gen.err.half_circle", { row: r + 1 });
      }
      arcs.push({ radius, step });
    }
    return { first, arcs };
  }

  function check(block) {
    const widest = seatsInRow(block, block.rows - 1);
    if (widest > MAX_SEATS_PER_ROW) throw new GeometryError("gen.err.row_max", { n: widest });
    for (const position of block.aisle_after) {
      if (!(position >= 1 && position < block.seats_per_row)) {
        throw new GeometryError("gen.err.aisle", { n: position, seats: block.seats_per_row });
      }
    }
    const wheel = block.wheelchair_row;
    if (wheel !== null && (wheel > block.rows || seatsInRow(block, wheel - 1) < 4)) {
      throw new GeometryError("gen.err.wheelchair", { row: wheel });
    }
    rowArcs(block);
  }

  // Slots of every row in seat sizes: x centred on 0, the first row's middle at y 0.
  function geometry(block) {
    const curved = rowArcs(block);
    const rows = [];
    for (let r = 0; r < block.rows; r++) {
      const pattern = rowPattern(block, r);
      if (curved === null) {
        const y = r * block.row_spacing;
        const middle = (pattern.length - 1) / 2;
        rows.push(pattern.map((isSeat, k) => ({ isSeat, x: (k - middle) * block.seat_spacing, y })));
        continue;
      }
      const { radius, step } = curved.arcs[r];
      const start = -(pattern.length - 1) * step / 2;
      rows.push(pattern.map((isSeat, k) => ({
        isSeat,
        x: radius * Math.sin(start + k * step),
        y: radius * Math.cos(start + k * step) - curved.first,
      })));
    }
    return rows;
  }

  function rowFlags(block, r, pattern) {
    const count = pattern.filter(Boolean).length;
    const flags = Array.from({ length: count }, () => new Set());
    if (block.wheelchair_row === r + 1) {
      for (const [outer, companion] of [[0, 1], [count - 1, count - 2]]) {
        flags[outer].add("wheelchair");
        flags[companion].add("companion");
      }
    }
    let seen = 0;
    for (const isSeat of pattern) {
      if (isSeat) {
        seen += 1;
      } else {
        flags[seen - 1].add("aisle");
        flags[seen].add("aisle");
      }
    }
    return flags.map((set) => FLAGS.filter((f) => set.has(f)));
  }

  const round = (value) => Math.round(value * 100) / 100;

  // The section described by `block`, its top edge at `top` and centred on `centreX`
  // (drawing units), with seats `size` units wide.
  function buildSection(block, { centreX, top, size }) {
    check(block);
    const rows = geometry(block);
    const ys = rows.flat().map((slot) => slot.y);
    const highest = Math.min(...ys);
    const shiftY = top / size + 0.5 - highest;
    return {
      code: block.code,
      name: block.name,
      rows: rows.map((slots, r) => {
        const pattern = slots.map((slot) => slot.isSeat);
        const places = slots.filter((slot) => slot.isSeat);
        const labels = seatLabels(places.length, block.numbering);
        const flags = rowFlags(block, r, pattern);
        return {
          label: rowLabel(block.first_row + r, block.row_labels),
          seats: places.map((slot, k) => ({
            label: labels[k],
            x: round(centreX + slot.x * size),
            y: round((shiftY + slot.y) * size),
            zone: block.zone,
            flags: flags[k],
          })),
        };
      }),
    };
  }

  return { FLAGS, GeometryError, buildSection, rowLabel, seatLabels, round };
})();
