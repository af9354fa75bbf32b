// Below the drawing: the counts of the plan, and the legend of its zones and flags.

import { $, svgNode } from "./dom.js";
import { seatCount, zoneUse } from "./model.js";
import { COLOR, FLAGS, state } from "./state.js";
import { number, t } from "./words.js";

// A legend's round swatch in a colour, with a mark on it.
function swatch(fill, mark) {
  const drawing = svgNode("svg", { class: "swatch", viewBox: "0 0 20 20", "aria-hidden": "true" });
  drawing.append(svgNode("circle", { cx: 10, cy: 10, r: 9, fill }));
  if (mark) drawing.append(mark);
  return drawing;
}

export function renderCounts() {
  const d = state.doc;
  $("counts").textContent = t("counts", {
    seats: number(seatCount()),
    sections: d.sections.length,
    standing: number(d.standing_areas.reduce((n, a) => n + a.capacity, 0)),
  });
}

export function renderLegend() {
  const use = zoneUse();
  const items = state.doc.price_zones.map((z) => {
    const item = document.createElement("li");
    item.append(swatch(COLOR.test(z.color) ? z.color : "#888888"),
      `${z.name} (${z.code}): ${t("zone.count", { n: use[z.code] || 0 })}`);
    return item;
  });
  const marks = {
    wheelchair: ["rect", { x: 6, y: 6, width: 8, height: 8, fill: "#fff" }],
    companion: ["circle", { cx: 10, cy: 10, r: 3, fill: "#fff" }],
    restricted_view: ["path", { d: "M10,1 A9,9 0 0 1 10,19 Z", fill: "#000", "fill-opacity": ".38" }],
    aisle: ["circle", { cx: 10, cy: 10, r: 6, fill: "none", stroke: "#fff", "stroke-width": 1.6 }],
    blocked: ["path", { d: "M6,6L14,14M14,6L6,14", stroke: "#1b1b1f", "stroke-width": 2 }],
  };
  for (const flag of FLAGS) {
    const item = document.createElement("li");
    const fill = flag === "blocked" ? "#c8c8c8" : "#5d6d7e";
    item.append(swatch(fill, svgNode(...marks[flag])), t(`flag.${flag}`));
    items.push(item);
  }
  $("legend").replaceChildren(...items);
}
