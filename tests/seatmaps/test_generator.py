"""The layout generator and the demo layouts built with it."""

import itertools
import json
import math
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from ticketing.seatmaps.demo_layouts import (
    DEMO_LAYOUTS,
    standing_1200,
    studio_250,
    theatre_600,
)
from ticketing.seatmaps.generator import (
    BlockSpec,
    GeneratorSpec,
    StandingSpec,
    generate_layout,
    row_label,
    seat_labels,
)
from ticketing.seatmaps.layout import SCHEMA_PATH, LayoutDocument, PriceZone, Row, Seat, SeatFlag
from ticketing.seatmaps.validation import validate_layout

ZONES = [
    PriceZone(code="A", name="Rang 1", color="#c0392b"),
    PriceZone(code="B", name="Rang 2", color="#2e86c1"),
]


def _block(**fields: Any) -> BlockSpec:
    values: dict[str, Any] = {"code": "S", "name": "Zaal", "rows": 3, "seats_per_row": 6}
    values.update(zone="A")
    values.update(fields)
    return BlockSpec.model_validate(values)


def _generate(*blocks: BlockSpec, **fields: Any) -> LayoutDocument:
    return generate_layout(
        GeneratorSpec(name="Test", price_zones=ZONES, blocks=list(blocks), **fields)
    )


def _labels_left_to_right(row: Row) -> list[str]:
    return [seat.label for seat in sorted(row.seats, key=lambda seat: seat.x)]


def _assert_sound(doc: LayoutDocument) -> None:
    keys = [key for key, _, _, _ in doc.iter_seats()]
    assert len(keys) == len(set(keys))
    assert validate_layout(doc) == []


# --- the spec ----------------------------------------------------------------------------


def test_six_hundred_seats_in_one_call() -> None:
    doc = _generate(
        _block(code="STALLS", rows=20, seats_per_row=20, curvature=1.5),
        _block(code="BALCONY", rows=8, seats_per_row=25, zone="B", curvature=2, offset_y=2),
    )

    assert doc.seat_count == 600
    _assert_sound(doc)
    assert [section.code for section in doc.sections] == ["STALLS", "BALCONY"]
    assert {seat.zone for _, section, _, seat in doc.iter_seats() if section.code == "BALCONY"} == {
        "B"
    }


@pytest.mark.parametrize(
    "blocks",
    [
        [_block(rows=30, seats_per_row=200, curvature=3)],
        [_block(rows=100, seats_per_row=200, curvature=3, row_spacing=1.0, seat_spacing=1.0)],
        [_block(rows=20, seats_per_row=10, seats_per_row_step=3, curvature=3)],
        [_block(rows=40, seats_per_row=4, seats_per_row_step=4, curvature=1)],
        [_block(rows=12, seats_per_row=2, curvature=0.5, seat_spacing=1.0)],
        [_block(rows=1, seats_per_row=1)],
        [_block(rows=50, seats_per_row=30, seats_per_row_step=1, aisle_after=[5, 15, 25])],
        [
            _block(code="L", rows=5, seats_per_row=8, curvature=1.2, aisle_after=[4]),
            _block(code="M", rows=10, seats_per_row=40, numbering="odd_even", curvature=4),
            _block(code="R", rows=3, seats_per_row=7, row_labels="letters", first_row=26),
        ],
    ],
)
def test_generated_layouts_are_valid(blocks: list[BlockSpec]) -> None:
    doc = _generate(*blocks)

    assert doc.seat_count == sum(block.seat_total for block in blocks)
    _assert_sound(doc)


@pytest.mark.parametrize("seat_size", [0.5, 1, 20, 37.5, 500])
def test_any_seat_size_gives_a_valid_layout(seat_size: float) -> None:
    doc = _generate(
        _block(rows=10, seats_per_row=21, seats_per_row_step=2, curvature=2.5, aisle_after=[7]),
        seat_size=seat_size,
    )

    assert doc.seat_size == seat_size
    _assert_sound(doc)


def test_everything_lies_inside_the_drawing_below_the_stage() -> None:
    doc = generate_layout(
        GeneratorSpec(
            name="Gemengd",
            price_zones=ZONES,
            blocks=[_block(rows=5, seats_per_row=10, curvature=1)],
            standing=[StandingSpec(code="FLOOR", name="Vloer", zone="B", capacity=300)],
        )
    )

    assert doc.stage is not None
    area = doc.standing_areas[0]
    seat_tops = [seat.y - doc.seat_size / 2 for _, _, _, seat in doc.iter_seats()]
    # Stage on top, the standing floor next, the seats behind it.
    assert doc.stage.y + doc.stage.height < area.y
    assert area.y + area.height < min(seat_tops)
    assert area.width == 30 * doc.seat_size
    for _, _, _, seat in doc.iter_seats():
        assert doc.seat_size <= seat.x <= doc.width - doc.seat_size
        assert doc.seat_size <= seat.y <= doc.height - doc.seat_size
    _assert_sound(doc)


def test_blocks_are_centred_under_the_stage() -> None:
    doc = _generate(_block(rows=2, seats_per_row=10), _block(code="T", rows=2, seats_per_row=30))

    assert doc.stage is not None
    centre = doc.width / 2
    assert doc.stage.x + doc.stage.width / 2 == pytest.approx(centre)
    for section in doc.sections:
        for row in section.rows:
            assert (row.seats[0].x + row.seats[-1].x) / 2 == pytest.approx(centre, abs=0.01)


def test_without_stage() -> None:
    doc = _generate(_block(), stage=False)

    assert doc.stage is None
    _assert_sound(doc)


def test_standing_only() -> None:
    doc = generate_layout(
        GeneratorSpec(
            name="Club",
            price_zones=ZONES,
            standing=[
                StandingSpec(code="FLOOR", name="Vloer", zone="A", capacity=500),
                StandingSpec(code="BAR", name="Bar", zone="B", capacity=50, width=10, height=5),
            ],
        )
    )

    assert doc.seat_count == 0
    assert doc.standing_capacity == 550
    _assert_sound(doc)


# --- numbering, labels and flags ---------------------------------------------------------


def test_sequential_numbering_runs_left_to_right() -> None:
    doc = _generate(_block(rows=1, seats_per_row=6))

    assert _labels_left_to_right(doc.sections[0].rows[0]) == ["1", "2", "3", "4", "5", "6"]


def test_odd_even_numbering_from_the_centre_odd_on_the_right() -> None:
    doc = _generate(_block(rows=1, seats_per_row=6, numbering="odd_even"))

    assert _labels_left_to_right(doc.sections[0].rows[0]) == ["6", "4", "2", "1", "3", "5"]


def test_odd_even_numbering_of_an_odd_row_puts_seat_one_in_the_middle() -> None:
    assert seat_labels(5, "odd_even") == ["4", "2", "1", "3", "5"]
    assert seat_labels(1, "odd_even") == ["1"]
    assert seat_labels(2, "odd_even") == ["2", "1"]


def test_seats_are_listed_left_to_right() -> None:
    doc = _generate(_block(rows=4, seats_per_row=9, curvature=2, numbering="odd_even"))

    for row in doc.sections[0].rows:
        xs = [seat.x for seat in row.seats]
        assert xs == sorted(xs)


@pytest.mark.parametrize(
    ("index", "letters"),
    [(1, "A"), (3, "C"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"), (703, "AAA")],
)
def test_letter_row_labels(index: int, letters: str) -> None:
    assert row_label(index, "letters") == letters
    assert row_label(index, "numbers") == str(index)


def test_row_labels_start_at_first_row() -> None:
    letters = _generate(_block(rows=28, seats_per_row=2, row_labels="letters"))
    numbers = _generate(_block(rows=3, seats_per_row=2, first_row=5))

    labels = [row.label for row in letters.sections[0].rows]
    assert labels[:3] == ["A", "B", "C"]
    assert labels[-3:] == ["Z", "AA", "AB"]
    assert [row.label for row in numbers.sections[0].rows] == ["5", "6", "7"]


def test_rows_widen_by_the_step() -> None:
    doc = _generate(_block(rows=4, seats_per_row=10, seats_per_row_step=3))

    assert [len(row.seats) for row in doc.sections[0].rows] == [10, 13, 16, 19]


def test_wheelchair_row_gets_wheelchair_and_companion_seats_at_both_ends() -> None:
    doc = _generate(_block(rows=3, seats_per_row=8, wheelchair_row=2))

    flags = [seat.flags for seat in doc.sections[0].rows[1].seats]
    assert flags[0] == [SeatFlag.WHEELCHAIR]
    assert flags[1] == [SeatFlag.COMPANION]
    assert flags[-2] == [SeatFlag.COMPANION]
    assert flags[-1] == [SeatFlag.WHEELCHAIR]
    assert all(not seat_flags for seat_flags in flags[2:-2])
    other_rows = doc.sections[0].rows[0].seats + doc.sections[0].rows[2].seats
    assert all(not seat.flags for seat in other_rows)


def test_aisles_leave_a_gap_and_flag_the_seats_beside_them() -> None:
    doc = _generate(_block(rows=3, seats_per_row=10, seats_per_row_step=2, aisle_after=[3, 7]))
    size = doc.seat_size
    spacing = 1.15 * size

    rows = doc.sections[0].rows
    first = rows[0].seats
    gaps = [round(b.x - a.x, 1) for a, b in itertools.pairwise(first)]
    assert gaps == [round(2 * spacing, 1) if i in (2, 6) else round(spacing, 1) for i in range(9)]
    assert [i for i, seat in enumerate(first) if SeatFlag.AISLE in seat.flags] == [2, 3, 6, 7]
    # Wider rows grow at both ends, so the aisles stay in line from front to back.
    aisle_xs = {tuple(seat.x for seat in row.seats if SeatFlag.AISLE in seat.flags) for row in rows}
    assert len(aisle_xs) == 1
    assert [len(row.seats) for row in rows] == [10, 12, 14]


# --- curvature ---------------------------------------------------------------------------


def test_curved_rows_bend_their_ends_towards_the_stage() -> None:
    doc = _generate(_block(rows=5, seats_per_row=11, curvature=1.5))
    assert doc.stage is not None

    for row in doc.sections[0].rows:
        middle = row.seats[len(row.seats) // 2]
        ends = (row.seats[0], row.seats[-1])
        assert all(end.y < middle.y for end in ends)
        assert ends[0].y == pytest.approx(ends[1].y)
    first = doc.sections[0].rows[0].seats
    # The curvature is the sagitta of the first row, in seat sizes.
    assert first[5].y - first[0].y == pytest.approx(1.5 * doc.seat_size, abs=0.02)


def test_curved_rows_are_concentric_arcs_with_exact_seat_spacing() -> None:
    doc = _generate(_block(rows=6, seats_per_row=9, seats_per_row_step=2, curvature=2))
    rows = doc.sections[0].rows
    middle = rows[0].seats[4]
    first = rows[0].seats[0]
    # Centre of the first row's circle, from its middle and end seats.
    half_chord = middle.x - first.x
    sagitta = middle.y - first.y
    radius = (half_chord**2 + sagitta**2) / (2 * sagitta)
    centre = (middle.x, middle.y - radius)

    for index, row in enumerate(rows):
        expected = radius + index * 1.6 * doc.seat_size
        for seat in row.seats:
            assert math.dist(centre, (seat.x, seat.y)) == pytest.approx(expected, abs=0.05)
        for left, right in itertools.pairwise(row.seats):
            distance = math.dist((left.x, left.y), (right.x, right.y))
            assert distance == pytest.approx(1.15 * doc.seat_size, abs=0.05)


def test_straight_rows_are_straight() -> None:
    doc = _generate(_block(rows=3, seats_per_row=7))

    for row in doc.sections[0].rows:
        assert len({seat.y for seat in row.seats}) == 1


# --- spec errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"seats_per_row": 6, "curvature": 5}, "too strong"),
        ({"seats_per_row": 1, "curvature": 1}, "two seats in its first row"),
        ({"rows": 30, "seats_per_row": 6, "curvature": 1.5, "seats_per_row_step": 6}, "half"),
        ({"rows": 3, "seats_per_row": 150, "seats_per_row_step": 30}, "at most 200"),
        ({"aisle_after": [6]}, "not between two seats"),
        ({"aisle_after": [0]}, "not between two seats"),
        ({"aisle_after": [2, 2]}, "twice"),
        ({"wheelchair_row": 4}, "does not exist"),
        ({"seats_per_row": 3, "wheelchair_row": 1}, "at least 4 seats"),
        ({"seat_spacing": 0.9}, "greater than or equal to 1"),
        ({"row_spacing": 0.5}, "greater than or equal to 1"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_impossible_blocks_are_rejected(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _block(**fields)


def test_spec_must_describe_something() -> None:
    with pytest.raises(ValidationError, match="at least one block"):
        GeneratorSpec(name="Leeg", price_zones=ZONES)


def test_spec_zones_and_codes_must_match_up() -> None:
    with pytest.raises(ValidationError, match="price zone Z"):
        GeneratorSpec(name="X", price_zones=ZONES, blocks=[_block(zone="Z")])
    with pytest.raises(ValidationError, match="own code"):
        GeneratorSpec(
            name="X",
            price_zones=ZONES,
            blocks=[_block()],
            standing=[StandingSpec(code="S", name="Vloer", zone="A", capacity=10)],
        )
    with pytest.raises(ValidationError, match="own code"):
        GeneratorSpec(name="X", price_zones=ZONES + ZONES[:1], blocks=[_block()])


def test_spec_limits_the_number_of_seats() -> None:
    blocks = [_block(code=f"B{i}", rows=100, seats_per_row=200) for i in range(3)]

    with pytest.raises(ValidationError, match="60000 seats"):
        GeneratorSpec(name="Stadion", price_zones=ZONES, blocks=blocks)


def test_spec_is_accepted_as_a_json_body() -> None:
    body = {
        "name": "Zaal",
        "price_zones": [{"code": "A", "name": "Rang 1", "color": "#ff0000"}],
        "blocks": [
            {"code": "S", "name": "Zaal", "rows": 2, "seats_per_row": 5, "zone": "A"},
        ],
    }

    spec = GeneratorSpec.model_validate_json(json.dumps(body))
    assert generate_layout(spec).seat_count == 10


# --- demo layouts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factory", "seats", "standing"),
    [(theatre_600, 600, 0), (studio_250, 250, 0), (standing_1200, 0, 1200)],
)
def test_demo_layouts_have_the_stated_size_and_are_valid(
    factory: Callable[[], LayoutDocument], seats: int, standing: int
) -> None:
    doc = factory()

    assert doc.seat_count == seats
    assert doc.standing_capacity == standing
    _assert_sound(doc)


@pytest.mark.parametrize("name", sorted(DEMO_LAYOUTS))
def test_demo_layouts_export_against_the_published_schema(name: str) -> None:
    doc = DEMO_LAYOUTS[name]()
    exported = json.loads(json.dumps(doc.model_dump(mode="json")))

    Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(exported)
    assert LayoutDocument.model_validate(exported) == doc


def test_demo_registry_names() -> None:
    assert set(DEMO_LAYOUTS) == {"theatre_600", "studio_250", "standing_1200"}


def _wheelchairs_with_companion(doc: LayoutDocument) -> list[tuple[str, str]]:
    """Each wheelchair seat with its companion neighbour in the same row."""
    pairs: list[tuple[str, str]] = []
    for section in doc.sections:
        for row in section.rows:
            for index, seat in enumerate(row.seats):
                if SeatFlag.WHEELCHAIR not in seat.flags:
                    continue
                neighbours: list[Seat] = [
                    row.seats[i] for i in (index - 1, index + 1) if 0 <= i < len(row.seats)
                ]
                companion = next(n for n in neighbours if SeatFlag.COMPANION in n.flags)
                pairs.append((seat.label, companion.label))
    return pairs


def test_theatre_600() -> None:
    doc = theatre_600()

    assert doc.name == "Grote zaal"
    assert {(zone.code, zone.name) for zone in doc.price_zones} == {
        ("A", "Rang 1"),
        ("B", "Rang 2"),
        ("C", "Rang 3"),
    }
    assert len({zone.color for zone in doc.price_zones}) == 3
    stalls, balcony = doc.sections
    assert (stalls.code, stalls.name, balcony.code, balcony.name) == (
        "STALLS",
        "Parterre",
        "BALCONY",
        "Balkon",
    )
    assert stalls.rows[0].label == "A"
    assert len(stalls.rows[-1].seats) > len(stalls.rows[0].seats)
    assert {seat.zone for row in stalls.rows for seat in row.seats} == {"A", "B"}
    assert stalls.rows[0].seats[0].zone == "A"
    assert stalls.rows[-1].seats[0].zone == "B"
    assert {seat.zone for row in balcony.rows for seat in row.seats} == {"C"}
    front = stalls.rows[0].seats
    assert front[len(front) // 2].y > front[0].y
    assert len(_wheelchairs_with_companion(doc)) >= 4
    restricted = [
        (index, len(row.seats))
        for row in balcony.rows
        for index, seat in enumerate(row.seats)
        if SeatFlag.RESTRICTED_VIEW in seat.flags
    ]
    assert len(restricted) >= 2
    assert all(index in (0, count - 1) for index, count in restricted)


def test_theatre_600_numbers_odd_even() -> None:
    row = theatre_600().sections[0].rows[0]
    labels = _labels_left_to_right(row)

    assert labels[len(labels) // 2 - 1 : len(labels) // 2 + 1] == ["2", "1"]
    assert labels[0] == str(len(labels))


def test_studio_250() -> None:
    doc = studio_250()

    assert doc.name == "Studio"
    assert [(zone.code, zone.name) for zone in doc.price_zones] == [("A", "Enkel tarief")]
    seats = [seat for _, _, _, seat in doc.iter_seats()]
    assert sum(SeatFlag.WHEELCHAIR in seat.flags for seat in seats) == 2
    assert sum(SeatFlag.COMPANION in seat.flags for seat in seats) == 2
    assert len(_wheelchairs_with_companion(doc)) == 2
    for row in doc.sections[0].rows:
        assert len({seat.y for seat in row.seats}) == 1
        assert [seat.label for seat in row.seats] == [str(n) for n in range(1, 26)]


def test_standing_1200() -> None:
    doc = standing_1200()

    assert doc.name == "Concertzaal"
    assert doc.sections == []
    (area,) = doc.standing_areas
    assert (area.code, area.capacity, area.zone) == ("FLOOR", 1200, "A")
    assert [(zone.code, zone.name) for zone in doc.price_zones] == [("A", "Staanplaats")]
