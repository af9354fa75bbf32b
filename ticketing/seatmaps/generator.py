"""Generate a regular layout from a short description, in one call.

Most halls are a few blocks of regular rows. Drawing 600 seats by hand is slow and error
prone, so a house admin describes the blocks (rows, seats per row, curvature, numbering) and
gets a complete, valid ``LayoutDocument`` to fine-tune in the editor. The spec models double
as the body of the "generate a layout" API call, which is why every number is bounded.

Geometry is computed in seat sizes and scaled by ``seat_size`` at the end, so whether a
block fits (e.g. how much curvature a row can take) does not depend on the drawing scale.
The conventions (odd/even numbering, where curved rows bend) are documented in
docs/seatmaps.md.
"""

import math
from dataclasses import dataclass
from typing import Literal, Self

from pydantic import Field, model_validator

from ticketing.seatmaps.layout import (
    Code,
    LayoutDocument,
    Name,
    PriceZone,
    Row,
    Seat,
    SeatFlag,
    Section,
    Stage,
    StandingArea,
    StrictModel,
)

MAX_SEATS_PER_ROW = 200
MAX_GENERATED_SEATS = 50_000
"""Upper bound on the seats of one generated layout, so one API call cannot exhaust memory."""

# Distances in seat sizes.
MARGIN = 3.0  # around the content; leaves room for the row labels drawn at both row ends
STAGE_DEPTH = 3.0
STAGE_MIN_WIDTH = 6.0
STAGE_WIDTH_SHARE = 0.6  # of the widest block or standing area
GAP_AFTER_STAGE = 2.0
GAP_BETWEEN_PARTS = 1.0  # between standing areas and blocks, edge to edge


class BlockSpec(StrictModel):
    """A block of regular rows; it becomes one section of the layout."""

    code: Code
    name: Name
    rows: int = Field(ge=1, le=100)
    seats_per_row: int = Field(ge=1, le=MAX_SEATS_PER_ROW, description="Seats in the first row.")
    zone: Code
    numbering: Literal["sequential", "odd_even"] = Field(
        default="sequential",
        description=(
            "sequential: 1..N left to right as seen from the audience. odd_even: from the"
            " centre outwards, odd numbers on the audience's right, even on the left."
        ),
    )
    row_labels: Literal["numbers", "letters"] = "numbers"
    first_row: int = Field(
        default=1,
        ge=1,
        le=1000,
        description="1-based index of the first row label: 3 gives '3' or 'C'.",
    )
    curvature: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description=(
            "0 for straight rows; otherwise the sagitta of the first row in seat sizes: the"
            " rows become concentric arcs whose ends bend towards the stage."
        ),
    )
    row_spacing: float = Field(default=1.6, ge=1.0, le=10, description="In seat sizes.")
    seat_spacing: float = Field(
        default=1.15, ge=1.0, le=10, description="Centre to centre, in seat sizes."
    )
    offset_y: float = Field(
        default=0.0, ge=0, le=100, description="Extra gap before this block, in seat sizes."
    )
    seats_per_row_step: int = Field(
        default=0,
        ge=0,
        le=MAX_SEATS_PER_ROW,
        description="Each next row has this many more seats, added half on each side.",
    )
    wheelchair_row: int | None = Field(
        default=None,
        ge=1,
        le=100,
        description=(
            "1-based row whose outermost seat on each side is a wheelchair space and the"
            " seat next to it a companion seat."
        ),
    )
    aisle_after: list[int] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Seat positions in the first row (1-based, left to right) followed by an aisle"
            " one seat wide; the seats beside an aisle are flagged aisle."
        ),
    )

    @property
    def seat_total(self) -> int:
        return self.rows * self.seats_per_row + self.seats_per_row_step * (
            self.rows * (self.rows - 1) // 2
        )

    def seats_in_row(self, row_index: int) -> int:
        """Seats in the row at 0-based ``row_index``."""
        return self.seats_per_row + row_index * self.seats_per_row_step

    @model_validator(mode="after")
    def _check_shape(self) -> Self:
        widest = self.seats_in_row(self.rows - 1)
        if widest > MAX_SEATS_PER_ROW:
            raise ValueError(
                f"Block {self.code}: its last row would have {widest} seats;"
                f" a row can have at most {MAX_SEATS_PER_ROW}."
            )
        if len(set(self.aisle_after)) != len(self.aisle_after):
            raise ValueError(f"Block {self.code}: aisle_after lists a position twice.")
        for position in self.aisle_after:
            if not 1 <= position < self.seats_per_row:
                raise ValueError(
                    f"Block {self.code}: an aisle after seat {position} is not between two"
                    f" seats of the first row, which has {self.seats_per_row} seats."
                )
        if self.wheelchair_row is not None:
            if self.wheelchair_row > self.rows:
                raise ValueError(
                    f"Block {self.code}: wheelchair row {self.wheelchair_row} does not exist;"
                    f" the block has {self.rows} rows."
                )
            if self.seats_in_row(self.wheelchair_row - 1) < 4:
                raise ValueError(
                    f"Block {self.code}: wheelchair row {self.wheelchair_row} needs at least"
                    " 4 seats (a wheelchair space and a companion seat on each side)."
                )
        # Raises with an explanation when the curvature cannot be built without overlaps.
        _row_arcs(self)
        return self


class StandingSpec(StrictModel):
    """A standing area; the generator places it centred, nearer the stage than the blocks."""

    code: Code
    name: Name
    zone: Code
    capacity: int = Field(ge=1, le=1_000_000)
    # At least a seat size: coordinates keep about a thousandth of one (see
    # _coordinate_digits), so a thinner area would be drawn 0 wide and fail its own model.
    width: float = Field(default=30, ge=1, le=1000, description="In seat sizes.")
    height: float = Field(default=15, ge=1, le=1000, description="In seat sizes.")


class GeneratorSpec(StrictModel):
    """Everything needed to generate a layout in one call."""

    name: Name
    seat_size: float = Field(default=20, ge=0.01, le=1000, description="In drawing units.")
    price_zones: list[PriceZone] = Field(min_length=1, max_length=50)
    blocks: list[BlockSpec] = Field(
        default_factory=list, max_length=50, description="Stacked top to bottom under the stage."
    )
    standing: list[StandingSpec] = Field(default_factory=list, max_length=50)
    stage: bool = True

    @model_validator(mode="after")
    def _check_references(self) -> Self:
        if not self.blocks and not self.standing:
            raise ValueError("Give at least one block of seats or one standing area.")
        zone_codes = [zone.code for zone in self.price_zones]
        if len(set(zone_codes)) != len(zone_codes):
            raise ValueError("Each price zone needs its own code.")
        part_codes = [block.code for block in self.blocks] + [area.code for area in self.standing]
        if len(set(part_codes)) != len(part_codes):
            raise ValueError("Each block and standing area needs its own code.")
        parts: list[BlockSpec | StandingSpec] = [*self.blocks, *self.standing]
        for part in parts:
            if part.zone not in zone_codes:
                raise ValueError(f"{part.code} uses price zone {part.zone}, which is not given.")
        total = sum(block.seat_total for block in self.blocks)
        if total > MAX_GENERATED_SEATS:
            raise ValueError(
                f"The blocks add up to {total} seats; at most {MAX_GENERATED_SEATS} can be"
                " generated at once."
            )
        return self


@dataclass(frozen=True)
class _Slot:
    """A place along a row: a seat, or the gap left for an aisle (``is_seat`` false)."""

    is_seat: bool
    x: float
    y: float


def _row_pattern(block: BlockSpec, row_index: int) -> list[bool]:
    """Seats (True) and aisle gaps (False) of a row, left to right.

    Extra seats of wider rows go half to each side (the left gets the smaller half), so an
    aisle stays between the same two seats of the first row all the way to the back.
    """
    aisles = set(block.aisle_after)
    pattern: list[bool] = []
    for position in range(1, block.seats_per_row + 1):
        pattern.append(True)
        if position in aisles:
            pattern.append(False)
    extra = row_index * block.seats_per_row_step
    left = extra // 2
    return [True] * left + pattern + [True] * (extra - left)


def _first_row_radius(block: BlockSpec) -> float | None:
    """Radius (seat sizes) of the first row's arc, or None for straight rows.

    The ends of the first row lie ``curvature`` seat sizes nearer the stage than its middle
    (the sagitta), adjacent slots stay exactly ``seat_spacing`` apart centre to centre, and
    the row bends round at most a half circle: beyond that its ends would curl back towards
    each other.
    """
    if block.curvature == 0:
        return None
    gaps = len(_row_pattern(block, 0)) - 1
    if gaps == 0:
        raise ValueError(f"Block {block.code}: a curved block needs two seats in its first row.")
    spacing = block.seat_spacing

    def sagitta(half_angle: float) -> float:
        # Grows monotonically with the half angle on (0, pi/2], so bisection finds it.
        return spacing * (1 - math.cos(half_angle)) / (2 * math.sin(half_angle / gaps))

    strongest = sagitta(math.pi / 2)
    if block.curvature > strongest + 1e-9:  # allow exactly a half circle despite rounding
        raise ValueError(
            f"Block {block.code}: curvature {block.curvature:g} is too strong for a first row"
            f" this short; at most {math.floor(strongest * 100) / 100:g} keeps it within a"
            " half circle."
        )
    low, high = 0.0, math.pi / 2
    for _ in range(100):
        middle = (low + high) / 2
        if sagitta(middle) < block.curvature:
            low = middle
        else:
            high = middle
    return spacing / (2 * math.sin(high / gaps))


def _row_arcs(block: BlockSpec) -> tuple[float, list[tuple[float, float]]] | None:
    """For curved blocks: the first row's radius and each row's (radius, angle between slots).

    Curved rows are concentric arcs ``row_spacing`` apart whose centre lies towards the
    stage, so no two rows come closer than ``row_spacing``; within a row, adjacent slots are
    ``seat_spacing`` apart and, as long as the arc is at most a half circle, every other pair
    is further apart. Together this guarantees that no seats overlap.
    """
    first_radius = _first_row_radius(block)
    if first_radius is None:
        return None
    arcs: list[tuple[float, float]] = []
    for row_index in range(block.rows):
        radius = first_radius + row_index * block.row_spacing
        step = 2 * math.asin(block.seat_spacing / (2 * radius))
        slots = block.seats_in_row(row_index) + len(block.aisle_after)
        if (slots - 1) * step > math.pi + 1e-9:
            raise ValueError(
                f"Block {block.code}: row {row_index + 1} would bend round more than a half"
                " circle; use less curvature or a smaller seats_per_row_step."
            )
        arcs.append((radius, step))
    return first_radius, arcs


def _block_geometry(block: BlockSpec) -> list[list[_Slot]]:
    """Slots of every row in seat sizes: x centred on 0, the first row's middle at y 0."""
    curved = _row_arcs(block)
    rows: list[list[_Slot]] = []
    for row_index in range(block.rows):
        pattern = _row_pattern(block, row_index)
        if curved is None:
            y = row_index * block.row_spacing
            middle = (len(pattern) - 1) / 2
            rows.append(
                [
                    _Slot(is_seat, (k - middle) * block.seat_spacing, y)
                    for k, is_seat in enumerate(pattern)
                ]
            )
            continue
        first_radius, arcs = curved
        radius, step = arcs[row_index]
        start = -(len(pattern) - 1) * step / 2
        rows.append(
            [
                _Slot(
                    is_seat,
                    radius * math.sin(start + k * step),
                    radius * math.cos(start + k * step) - first_radius,
                )
                for k, is_seat in enumerate(pattern)
            ]
        )
    return rows


def row_label(index: int, style: Literal["numbers", "letters"]) -> str:
    """Label of the row at 1-based ``index``: "3", or "C"; letters go on "Z", "AA", "AB"."""
    if style == "numbers":
        return str(index)
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def seat_labels(count: int, numbering: Literal["sequential", "odd_even"]) -> list[str]:
    """Seat numbers of a row of ``count`` seats, left to right as seen from the audience.

    odd_even numbers from the centre outwards: odd on the right, even on the left, 1 and 2
    nearest the centre (6 seats: 6 4 2 1 3 5). With an odd count the right side has the extra
    seat, so seat 1 is the middle one.
    """
    if numbering == "sequential":
        return [str(number) for number in range(1, count + 1)]
    left = count // 2
    return [str(2 * (left - i)) for i in range(left)] + [
        str(2 * j + 1) for j in range(count - left)
    ]


def _row_flags(block: BlockSpec, row_index: int, pattern: list[bool]) -> list[set[SeatFlag]]:
    """Flags of each seat of a row (indexed by seat, not by slot)."""
    seat_count = sum(pattern)
    flags: list[set[SeatFlag]] = [set() for _ in range(seat_count)]
    if block.wheelchair_row == row_index + 1:
        for outermost, companion in ((0, 1), (seat_count - 1, seat_count - 2)):
            flags[outermost].add(SeatFlag.WHEELCHAIR)
            flags[companion].add(SeatFlag.COMPANION)
    seen = 0
    for is_seat in pattern:
        if is_seat:
            seen += 1
        else:
            # The seats on both sides of the gap; an aisle is never at a row end.
            flags[seen - 1].add(SeatFlag.AISLE)
            flags[seen].add(SeatFlag.AISLE)
    return flags


def _coordinate_digits(seat_size: float) -> int:
    """Decimals kept in coordinates: about a thousandth of a seat, for readable JSON."""
    return max(0, 3 - math.floor(math.log10(seat_size)))


def generate_layout(spec: GeneratorSpec) -> LayoutDocument:
    """Build the layout described by ``spec``: stage on top, then standing areas, then blocks.

    Every part is centred horizontally and the drawing is sized to the content plus a margin.
    The result passes ``validate_layout`` without problems.
    """
    size = spec.seat_size
    digits = _coordinate_digits(size)

    def units(value: float) -> float:
        return round(value * size, digits)

    geometries = [_block_geometry(block) for block in spec.blocks]
    half_widths = [
        max(abs(slot.x) for row in geometry for slot in row) + 0.5 for geometry in geometries
    ]
    widest = max([2 * half for half in half_widths] + [area.width for area in spec.standing])
    stage_width = max(STAGE_MIN_WIDTH, STAGE_WIDTH_SHARE * widest)
    centre_x = MARGIN + max(widest, stage_width if spec.stage else 0) / 2

    stage: Stage | None = None
    bottom = MARGIN  # lower edge of what is placed so far, in seat sizes
    gap = 0.0
    if spec.stage:
        stage = Stage(
            x=units(centre_x - stage_width / 2),
            y=units(MARGIN),
            width=units(stage_width),
            height=units(STAGE_DEPTH),
        )
        bottom = MARGIN + STAGE_DEPTH
        gap = GAP_AFTER_STAGE

    standing_areas: list[StandingArea] = []
    for area in spec.standing:
        top = bottom + gap
        standing_areas.append(
            StandingArea(
                code=area.code,
                name=area.name,
                zone=area.zone,
                capacity=area.capacity,
                x=units(centre_x - area.width / 2),
                y=units(top),
                width=units(area.width),
                height=units(area.height),
            )
        )
        bottom = top + area.height
        gap = GAP_BETWEEN_PARTS

    sections: list[Section] = []
    for block, geometry in zip(spec.blocks, geometries, strict=True):
        highest = min(slot.y for row in geometry for slot in row)
        lowest = max(slot.y for row in geometry for slot in row)
        top = bottom + gap + block.offset_y
        # Seat centres sit half a seat inside the block's top edge.
        shift_y = top + 0.5 - highest
        rows: list[Row] = []
        for row_index, slots in enumerate(geometry):
            pattern = [slot.is_seat for slot in slots]
            positions = [slot for slot in slots if slot.is_seat]
            labels = seat_labels(len(positions), block.numbering)
            flags = _row_flags(block, row_index, pattern)
            seats = [
                Seat(
                    label=label,
                    x=units(centre_x + slot.x),
                    y=units(shift_y + slot.y),
                    zone=block.zone,
                    flags=[flag for flag in SeatFlag if flag in seat_flags],
                )
                for slot, label, seat_flags in zip(positions, labels, flags, strict=True)
            ]
            rows.append(
                Row(label=row_label(block.first_row + row_index, block.row_labels), seats=seats)
            )
        sections.append(Section(code=block.code, name=block.name, rows=rows))
        bottom = top + (lowest - highest) + 1
        gap = GAP_BETWEEN_PARTS

    return LayoutDocument(
        name=spec.name,
        width=units(2 * centre_x),
        height=units(bottom + MARGIN),
        seat_size=size,
        stage=stage,
        price_zones=[zone.model_copy() for zone in spec.price_zones],
        sections=sections,
        standing_areas=standing_areas,
    )
