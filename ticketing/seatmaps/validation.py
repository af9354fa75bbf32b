"""Whole-document rules for a seat-map layout.

The pydantic models only check each field on its own. The rules here need the whole
document: codes must be unique, zones must exist, seats must not overlap and everything must
lie on the drawing. ``validate_layout`` returns every problem at once, so an editor can show
them all next to the right fields instead of making the house admin fix them one by one.
"""

import math
import sys
from collections import defaultdict
from dataclasses import dataclass

from ticketing.seatmaps.layout import LayoutDocument, seat_key

MAX_STANDING_CAPACITY = 1_000_000
"""Places of all standing areas of a layout together. Far above any hall; it keeps the
counts (a layout's capacity, a performance's stock) inside PostgreSQL's integer columns."""

OVERLAP_FACTOR = 0.9
"""Seats overlap when their centres are closer than this many seat sizes.

A little below 1 so that seats drawn touching (centre distance = seat size), or off by a
rounding error, are accepted.
"""


@dataclass(frozen=True)
class LayoutProblem:
    """One broken rule.

    ``field`` points at the offending value like ``sections[0].rows[3].seats[7].label``;
    ``seat`` is the key of the seat concerned, if any.
    """

    field: str
    message: str
    seat: str | None = None


@dataclass(frozen=True)
class _PlacedSeat:
    key: str
    path: str
    x: float
    y: float


def validate_layout(doc: LayoutDocument) -> list[LayoutProblem]:
    """All problems of ``doc``; an empty list means the layout is valid."""
    problems: list[LayoutProblem] = []
    if doc.seat_count == 0 and not doc.standing_areas:
        problems.append(LayoutProblem("sections", "The layout has no seats and no standing areas."))
    _check_price_zones(doc, problems)
    _check_stage(doc, problems)
    placed = _check_sections(doc, problems)
    _check_standing_areas(doc, problems)
    _check_overlaps(placed, doc.seat_size, problems)
    return problems


def _num(value: float) -> str:
    """A coordinate as a clerk would write it: 12, 12.5, 12.33 (not 12.333333333)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _check_price_zones(doc: LayoutDocument, problems: list[LayoutProblem]) -> None:
    first_name: dict[str, str] = {}
    for i, zone in enumerate(doc.price_zones):
        if zone.code in first_name:
            problems.append(
                LayoutProblem(
                    f"price_zones[{i}].code",
                    f"Price zone code {zone.code} is used twice (by {first_name[zone.code]}"
                    f" and by {zone.name}); each price zone needs its own code.",
                )
            )
        else:
            first_name[zone.code] = zone.name


def _check_stage(doc: LayoutDocument, problems: list[LayoutProblem]) -> None:
    stage = doc.stage
    if stage is None or _box_inside(doc, stage.x, stage.y, stage.width, stage.height):
        return
    where = _box_text(doc, stage.x, stage.y, stage.width, stage.height)
    problems.append(LayoutProblem("stage", f"The stage does not fit inside the drawing: {where}."))


def _box_inside(doc: LayoutDocument, x: float, y: float, width: float, height: float) -> bool:
    return x >= 0 and y >= 0 and x + width <= doc.width and y + height <= doc.height


def _box_text(doc: LayoutDocument, x: float, y: float, width: float, height: float) -> str:
    return (
        f"it covers x {_num(x)} to {_num(x + width)} and y {_num(y)} to {_num(y + height)},"
        f" but the drawing is {_num(doc.width)} wide and {_num(doc.height)} high"
    )


def _check_sections(doc: LayoutDocument, problems: list[LayoutProblem]) -> list[_PlacedSeat]:
    zones = doc.zone_codes()
    placed: list[_PlacedSeat] = []
    first_section_name: dict[str, str] = {}
    for i, section in enumerate(doc.sections):
        section_path = f"sections[{i}]"
        code = section.code
        if code in first_section_name:
            problems.append(
                LayoutProblem(
                    f"{section_path}.code",
                    f"Section code {code} is used twice (by {first_section_name[code]}"
                    f" and by {section.name}); each section needs its own code.",
                )
            )
        else:
            first_section_name[code] = section.name
        if not section.rows:
            problems.append(LayoutProblem(f"{section_path}.rows", f"Section {code} has no rows."))
        row_labels: set[str] = set()
        for j, row in enumerate(section.rows):
            row_path = f"{section_path}.rows[{j}]"
            if row.label in row_labels:
                problems.append(
                    LayoutProblem(
                        f"{row_path}.label", f"Row {row.label} appears twice in section {code}."
                    )
                )
            row_labels.add(row.label)
            if not row.seats:
                problems.append(
                    LayoutProblem(
                        f"{row_path}.seats", f"Row {row.label} of section {code} has no seats."
                    )
                )
            seat_labels: set[str] = set()
            for k, seat in enumerate(row.seats):
                seat_path = f"{row_path}.seats[{k}]"
                key = seat_key(code, row.label, seat.label)
                if seat.label in seat_labels:
                    problems.append(
                        LayoutProblem(
                            f"{seat_path}.label",
                            f"Seat {key} appears twice in row {row.label} of section {code}.",
                            key,
                        )
                    )
                seat_labels.add(seat.label)
                if seat.zone not in zones:
                    problems.append(
                        LayoutProblem(
                            f"{seat_path}.zone",
                            f"Seat {key} uses price zone {seat.zone},"
                            " which is not defined in this layout.",
                            key,
                        )
                    )
                for axis, value, limit in (("x", seat.x, doc.width), ("y", seat.y, doc.height)):
                    if not 0 <= value <= limit:
                        problems.append(
                            LayoutProblem(
                                f"{seat_path}.{axis}",
                                f"Seat {key} lies outside the drawing: its {axis} is"
                                f" {_num(value)}, but must be between 0 and {_num(limit)}.",
                                key,
                            )
                        )
                placed.append(_PlacedSeat(key, seat_path, seat.x, seat.y))
    return placed


def _check_standing_areas(doc: LayoutDocument, problems: list[LayoutProblem]) -> None:
    zones = doc.zone_codes()
    section_codes = {section.code for section in doc.sections}
    area_codes: set[str] = set()
    for i, area in enumerate(doc.standing_areas):
        path = f"standing_areas[{i}]"
        if area.code in area_codes:
            problems.append(
                LayoutProblem(
                    f"{path}.code",
                    f"Standing area code {area.code} is used twice;"
                    " each standing area needs its own code.",
                )
            )
        elif area.code in section_codes:
            # Inventory addresses a standing area by its bare code and a seat by a key that
            # starts with its section code, so sharing a code would confuse staff and reports.
            problems.append(
                LayoutProblem(
                    f"{path}.code",
                    f"Standing area code {area.code} is also the code of a section;"
                    " sections and standing areas need different codes.",
                )
            )
        area_codes.add(area.code)
        if area.zone not in zones:
            problems.append(
                LayoutProblem(
                    f"{path}.zone",
                    f"Standing area {area.code} uses price zone {area.zone},"
                    " which is not defined in this layout.",
                )
            )
        if not _box_inside(doc, area.x, area.y, area.width, area.height):
            problems.append(
                LayoutProblem(
                    path,
                    f"Standing area {area.code} does not fit inside the drawing:"
                    f" {_box_text(doc, area.x, area.y, area.width, area.height)}.",
                )
            )
        if area.capacity > MAX_STANDING_CAPACITY:
            problems.append(
                LayoutProblem(
                    f"{path}.capacity",
                    f"Standing area {area.code} holds {area.capacity} people; a layout holds"
                    f" at most {MAX_STANDING_CAPACITY} standing places.",
                )
            )
    total = sum(area.capacity for area in doc.standing_areas)
    if total > MAX_STANDING_CAPACITY and all(
        a.capacity <= MAX_STANDING_CAPACITY for a in doc.standing_areas
    ):
        problems.append(
            LayoutProblem(
                "standing_areas",
                f"The standing areas hold {total} people together; a layout holds at most"
                f" {MAX_STANDING_CAPACITY} standing places.",
            )
        )


def _check_overlaps(
    placed: list[_PlacedSeat], seat_size: float, problems: list[LayoutProblem]
) -> None:
    """Report each pair of overlapping seats once, on the later seat of the pair.

    Seats are bucketed in a grid whose cells are as wide as the minimum distance, so a seat
    can only overlap seats in its own cell or the eight around it: linear time for any
    real hall instead of comparing every pair.
    """
    minimum = OVERLAP_FACTOR * seat_size
    minimum_squared = minimum * minimum
    grid: defaultdict[tuple[int, int], list[int]] = defaultdict(list)
    for index, seat in enumerate(placed):
        cell_x = _cell(seat.x / minimum)
        cell_y = _cell(seat.y / minimum)
        earlier: list[tuple[int, float]] = []
        for neighbour_x in (cell_x - 1, cell_x, cell_x + 1):
            for neighbour_y in (cell_y - 1, cell_y, cell_y + 1):
                for other_index in grid.get((neighbour_x, neighbour_y), ()):
                    other = placed[other_index]
                    dx = seat.x - other.x
                    dy = seat.y - other.y
                    distance_squared = dx * dx + dy * dy
                    if distance_squared < minimum_squared:
                        earlier.append((other_index, math.sqrt(distance_squared)))
        for other_index, distance in sorted(earlier):
            problems.append(
                LayoutProblem(
                    seat.path,
                    f"Seat {seat.key} overlaps seat {placed[other_index].key}: their centres"
                    f" are {_num(distance)} units apart, but seats need at least"
                    f" {_num(minimum)}.",
                    seat.key,
                )
            )
        grid[(cell_x, cell_y)].append(index)


def _cell(position: float) -> int:
    # A seat absurdly far off the drawing (already reported) must not crash the grid.
    if math.isfinite(position):
        return math.floor(position)
    return sys.maxsize if position > 0 else -sys.maxsize
