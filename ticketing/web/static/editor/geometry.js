// Where things are on the drawing: the box around the content, moving everything, sizing
// the drawing to its content, the stage above the seats, and a generated section placed
// where the house admin asked for it.

import { fromDocument } from "./model.js";
import { round, state } from "./state.js";

// Bounding box of what is drawn (seats with room for their row labels, areas, stage).
export function contentBox({ withStage = true } = {}) {
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

// Moves every seat, standing area and the stage of `d` by (dx, dy).
export function translate(d, dx, dy) {
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
}

// Moves everything so that the content has a margin of three seats, and sizes the drawing
// to it: the same margin the API's generator leaves (room for the row labels).
export function fitDrawing() {
  const box = contentBox();
  if (!box) return;
  const d = state.doc;
  const margin = 3 * d.seat_size;
  translate(d, margin - box.x0, margin - box.y0);
  d.width = round(box.x1 - box.x0 + 2 * margin);
  d.height = round(box.y1 - box.y0 + 2 * margin);
}

// The stage centred above the seats, 60 % as wide as they are (as the API's generator).
export function placeStage() {
  const d = state.doc;
  const box = contentBox({ withStage: false });
  if (!d.stage || !box) return;
  const s = d.seat_size;
  d.stage.width = round(Math.max(6 * s, 0.6 * (box.x1 - box.x0)));
  d.stage.height = d.stage.height || 3 * s;
  d.stage.x = round((box.x0 + box.x1) / 2 - d.stage.width / 2);
  d.stage.y = round(box.y0 - 2 * s - d.stage.height);
}

// The generator centres what it makes in a drawing of its own (docs/seatmaps.md,
// "Placement"): move the parts so that they are centred on `centreX` with their top edge
// at `top`, where the house admin asked for them.
export function placeGenerated(generated, centreX, top) {
  const parts = fromDocument(generated);
  const half = parts.seat_size / 2;
  let highest = Infinity;
  for (const section of parts.sections) {
    for (const row of section.rows) for (const seat of row.seats) highest = Math.min(highest, seat.y - half);
  }
  for (const area of parts.standing_areas) highest = Math.min(highest, area.y);
  translate(parts, centreX - parts.width / 2, top - highest);
  return parts;
}
