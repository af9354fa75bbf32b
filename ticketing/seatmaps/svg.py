"""Render a layout, with the live state of each seat, as a standalone SVG.

The same drawing serves the shop (on a phone), the box office and the admin editor preview,
so it scales with its container (no fixed pixel size), carries the seat key and state on
each circle for scripts to hook into, and gives every seat a text alternative for screen
readers. Held, sold and blocked seats share one grey: to the audience they are all simply
not available. The output is deterministic so it can be cached and compared in tests.
"""

import math
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from ticketing.seatmaps.layout import (
    LayoutDocument,
    PriceZone,
    Row,
    Seat,
    SeatFlag,
    Section,
    Stage,
    StandingArea,
    seat_key,
)

SEAT_STATES = ("available", "held", "sold", "blocked")
UNAVAILABLE_FILL = "#c8c8c8"
UNKNOWN_ZONE_FILL = "#888888"  # a seat whose zone is missing still gets drawn, in a dark grey
BACKGROUND = "#ffffff"
INK = "#222222"
STAGE_FILL = "#e6e1d8"

_FLAG_TEXT = {
    SeatFlag.WHEELCHAIR: "wheelchair space",
    SeatFlag.COMPANION: "companion seat",
    SeatFlag.RESTRICTED_VIEW: "restricted view",
    SeatFlag.AISLE: "aisle seat",
    # The blocked flag shows up as the state "blocked"; saying it twice helps nobody.
}

# Sizes relative to the seat size, so the text stays legible however far the map is scaled.
ROW_LABEL_SIZE = 0.6
LEGEND_LINE = 1.3
LEGEND_TEXT_SIZE = 0.7
AREA_TEXT_SIZE = 0.9
MARKER_SIZE = 0.4


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _element(name: str, attributes: Mapping[str, str | float], content: str | None = None) -> str:
    parts = [name]
    for attribute, value in attributes.items():
        text = _num(value) if isinstance(value, float | int) else value
        parts.append(f"{attribute}={quoteattr(text)}")
    opening = " ".join(parts)
    if content is None:
        return f"<{opening}/>"
    return f"<{opening}>{content}</{name}>"


def _title(text: str) -> str:
    return f"<title>{escape(text)}</title>"


def _state_of(key: str, states: Mapping[str, str], flagged_blocked: bool) -> str:
    state = states.get(key, "available")
    # A seat taken out of sale in the layout stays out unless it has really been sold or held.
    if flagged_blocked and state == "available":
        return "blocked"
    return state


def render_svg(
    doc: LayoutDocument, states: Mapping[str, str] | None = None, *, title: str | None = None
) -> str:
    """The seat map as an SVG document.

    ``states`` maps seat keys and standing-area codes to "available", "held", "sold" or
    "blocked"; anything not in it is available, except seats flagged blocked. Keys that are
    not in the layout are ignored, so a stale state list cannot break the drawing.
    """
    states = states or {}
    for key, state in states.items():
        if state not in SEAT_STATES:
            raise ValueError(
                f"Unknown state {state!r} for {key}; expected one of {', '.join(SEAT_STATES)}."
            )
    size = doc.seat_size
    zones = {zone.code: zone for zone in doc.price_zones}
    legend_height = (len(doc.price_zones) * LEGEND_LINE + 0.5) * size if doc.price_zones else 0
    total_height = doc.height + legend_height

    parts = [
        _element_open(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "viewBox": f"0 0 {_num(doc.width)} {_num(total_height)}",
                "width": "100%",
                "role": "img",
                "font-family": "sans-serif",
                "class": "seatmap",
            },
        ),
        _title(title if title is not None else doc.name),
        _element(
            "rect",
            {"x": 0.0, "y": 0.0, "width": doc.width, "height": total_height, "fill": BACKGROUND},
        ),
    ]
    if doc.stage is not None:
        parts.extend(_stage(doc.stage, size))
    for area in doc.standing_areas:
        parts.extend(_standing_area(area, zones.get(area.zone), states, size))
    for section in doc.sections:
        parts.append(_element_open("g", {"class": "section", "data-section": section.code}))
        for row in section.rows:
            parts.append(_element_open("g", {"class": "row", "data-row": row.label}))
            parts.extend(_row_labels(row, size))
            for seat in row.seats:
                parts.extend(_seat(section, row, seat, zones.get(seat.zone), states, size))
            parts.append("</g>")
        parts.append("</g>")
    parts.extend(_legend(doc, size))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _stage(stage: Stage, size: float) -> list[str]:
    rect = _element(
        "rect",
        {
            "x": stage.x,
            "y": stage.y,
            "width": stage.width,
            "height": stage.height,
            "fill": STAGE_FILL,
        },
    )
    label = _text(
        stage.label,
        stage.x + stage.width / 2,
        stage.y + stage.height / 2,
        min(size, stage.height * 0.6),
    )
    return ['<g class="stage">', rect, label, "</g>"]


def _standing_area(
    area: StandingArea, zone: PriceZone | None, states: Mapping[str, str], size: float
) -> list[str]:
    state = _state_of(area.code, states, flagged_blocked=False)
    zone_name = zone.name if zone is not None else area.zone
    description = f"Standing area {area.name}, {zone_name}, {area.capacity} places, {state}"
    centre_x = area.x + area.width / 2
    centre_y = area.y + area.height / 2
    font_size = AREA_TEXT_SIZE * size
    group = _element_open(
        "g",
        {
            "class": f"standing-area standing-area-{state} zone-{area.zone}",
            "data-area": area.code,
            "data-state": state,
        },
    )
    rect = _element(
        "rect",
        {
            "x": area.x,
            "y": area.y,
            "width": area.width,
            "height": area.height,
            "rx": size / 2,
            "fill": _fill(state, zone.color if zone is not None else None),
        },
        _title(description),
    )
    return [
        group,
        rect,
        _text(area.name, centre_x, centre_y - 0.6 * size, font_size),
        _text(f"{area.capacity} places", centre_x, centre_y + 0.6 * size, font_size),
        "</g>",
    ]


def _seat(
    section: Section,
    row: Row,
    seat: Seat,
    zone: PriceZone | None,
    states: Mapping[str, str],
    size: float,
) -> list[str]:
    key = seat_key(section.code, row.label, seat.label)
    state = _state_of(key, states, SeatFlag.BLOCKED in seat.flags)
    details = [_FLAG_TEXT[flag] for flag in seat.flags if flag in _FLAG_TEXT]
    description = ", ".join(
        [
            f"Section {section.name}",
            f"row {row.label}",
            f"seat {seat.label}",
            zone.name if zone is not None else seat.zone,
            *details,
            state,
        ]
    )
    classes = ["seat", f"seat-{state}", f"zone-{seat.zone}"]
    classes.extend(f"seat-{flag.value.replace('_', '-')}" for flag in seat.flags)
    circle = _element(
        "circle",
        {
            "cx": seat.x,
            "cy": seat.y,
            "r": size / 2,
            "fill": _fill(state, zone.color if zone is not None else None),
            "class": " ".join(classes),
            "data-seat": key,
            "data-state": state,
        },
        _title(description),
    )
    if SeatFlag.WHEELCHAIR in seat.flags:
        return [circle, _wheelchair_marker(seat, size)]
    return [circle]


def _element_open(name: str, attributes: Mapping[str, str | float]) -> str:
    element = _element(name, attributes)
    return element[:-2] + ">"


def _fill(state: str, zone_color: str | None) -> str:
    if state != "available":
        return UNAVAILABLE_FILL
    return zone_color if zone_color is not None else UNKNOWN_ZONE_FILL


def _text(content: str, x: float, y: float, font_size: float, anchor: str = "middle") -> str:
    return _element(
        "text",
        {
            "x": x,
            "y": y,
            "font-size": font_size,
            "text-anchor": anchor,
            "dominant-baseline": "central",
            "fill": INK,
        },
        escape(content),
    )


def _wheelchair_marker(seat: Seat, size: float) -> str:
    # A plain white square rather than a pictogram: it needs no font and survives any
    # renderer; the seat's title says "wheelchair space" for screen readers.
    side = MARKER_SIZE * size
    return _element(
        "rect",
        {
            "x": seat.x - side / 2,
            "y": seat.y - side / 2,
            "width": side,
            "height": side,
            "fill": BACKGROUND,
            "class": "seat-marker",
            "pointer-events": "none",
            "aria-hidden": "true",
        },
    )


def _row_labels(row: Row, size: float) -> list[str]:
    """The row label just beyond both ends of the row, continuing the row's direction.

    Following the direction of the last two seats keeps the label in line with curved rows.
    """
    if not row.seats:
        return []
    labels = []
    for end, neighbour, fallback in (
        (row.seats[0], row.seats[1] if len(row.seats) > 1 else None, -1.0),
        (row.seats[-1], row.seats[-2] if len(row.seats) > 1 else None, 1.0),
    ):
        dx, dy = fallback, 0.0
        if neighbour is not None:
            length = math.hypot(end.x - neighbour.x, end.y - neighbour.y)
            if length > 0:
                dx = (end.x - neighbour.x) / length
                dy = (end.y - neighbour.y) / length
        labels.append(
            _element(
                "text",
                {
                    "x": end.x + dx * size,
                    "y": end.y + dy * size,
                    "font-size": ROW_LABEL_SIZE * size,
                    "text-anchor": "middle",
                    "dominant-baseline": "central",
                    "fill": INK,
                    "class": "row-label",
                    "aria-hidden": "true",
                },
                escape(row.label),
            )
        )
    return labels


def _legend(doc: LayoutDocument, size: float) -> list[str]:
    """One line per price zone under the drawing: a swatch and the zone's name."""
    if not doc.price_zones:
        return []
    parts = ['<g class="legend">']
    swatch = 0.8 * size
    for index, zone in enumerate(doc.price_zones):
        line_y = doc.height + (index * LEGEND_LINE + 0.5) * size
        parts.append(
            _element(
                "rect",
                {
                    "x": size,
                    "y": line_y,
                    "width": swatch,
                    "height": swatch,
                    "rx": swatch / 4,
                    "fill": zone.color,
                    "class": f"legend-swatch zone-{zone.code}",
                },
            )
        )
        parts.append(
            _text(zone.name, 2.2 * size, line_y + swatch / 2, LEGEND_TEXT_SIZE * size, "start")
        )
    parts.append("</g>")
    return parts
