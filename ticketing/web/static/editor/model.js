// The plan as the editor holds it and as the API reads it: conversion both ways (the editor
// gives seats and areas an internal `id`), an index of where every seat and area is, and
// the questions asked of the plan (what is selected, how many seats, which codes are taken).

import { FLAGS, FORMAT, PALETTE, newId, num, round, state } from "./state.js";
import { t } from "./words.js";

export function fromDocument(doc) {
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
export function toDocument() {
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

export function emptyDocument(name) {
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
export function index() {
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

export const seatKey = (entry) => `${entry.section.code}/${entry.row.label}/${entry.item.label}`;

export function selected(kind) {
  const map = index();
  const out = [];
  for (const id of state.selection) {
    const entry = map.get(id);
    if (entry && (!kind || entry.kind === kind)) out.push(entry);
  }
  return out;
}

export function seatCount() {
  return state.doc.sections.reduce((sum, s) => sum + s.rows.reduce((n, r) => n + r.seats.length, 0), 0);
}

// Rows list their seats left to right (docs/seatmaps.md); keep it so after moves.
export function tidy() {
  for (const section of state.doc.sections) {
    for (const row of section.rows) row.seats.sort((a, b) => a.x - b.x);
    section.rows = section.rows.filter((row) => row.seats.length);
  }
  state.doc.sections = state.doc.sections.filter((section) => section.rows.length);
  state.indexCache = null;
}

export function zoneUse() {
  const use = {};
  for (const section of state.doc.sections) {
    for (const row of section.rows) {
      for (const seat of row.seats) use[seat.zone] = (use[seat.zone] || 0) + 1;
    }
  }
  return use;
}

export function usedCodes(except) {
  return new Set([...state.doc.sections.filter((s) => s !== except).map((s) => s.code),
    ...state.doc.standing_areas.map((a) => a.code)]);
}
