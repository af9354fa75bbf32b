"""Best available: which seats the shop offers for "n tickets, zone X"."""

import asyncio
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from ticketing.inventory import repository, service
from ticketing.inventory.best import HallPlan, best_available, offerable
from ticketing.inventory.layouts import index_layout
from ticketing.inventory.schemas import BestRequest
from ticketing.seatmaps.demo_layouts import standing_1200, studio_250, theatre_600
from ticketing.seatmaps.generator import BlockSpec, GeneratorSpec, generate_layout
from ticketing.seatmaps.layout import LayoutDocument, PriceZone, Seat, SeatFlag

SPACING = 25  # centre to centre of neighbouring seats in the hand-made layouts (seat size 20)
ROW_GAP = 30
RESERVED = {SeatFlag.WHEELCHAIR, SeatFlag.COMPANION}


def _layout(
    rows: dict[str, str],
    *,
    flags: dict[str, list[str]] | None = None,
    zones: dict[str, str] | None = None,
) -> LayoutDocument:
    """One section "S" under a centred stage; rows are given front to back.

    Each row reads left to right, e.g. "1 2 | 3 4": seat labels, "|" an aisle one seat wide.
    ``flags`` and ``zones`` are keyed by seat key; every seat is in zone "A" unless told.
    """
    flags = flags or {}
    zones = zones or {}
    widest = max(len(text.split()) for text in rows.values())
    width = 100 + widest * SPACING
    centre = width / 2
    layout_rows: list[dict[str, Any]] = []
    for index, (label, text) in enumerate(rows.items()):
        slots = text.split()
        middle = (len(slots) - 1) / 2
        seats = [
            {
                "label": seat,
                "x": centre + (slot - middle) * SPACING,
                "y": 100 + index * ROW_GAP,
                "zone": zones.get(f"S/{label}/{seat}", "A"),
                "flags": flags.get(f"S/{label}/{seat}", []),
            }
            for slot, seat in enumerate(slots)
            if seat != "|"
        ]
        layout_rows.append({"label": label, "seats": seats})
    return LayoutDocument.model_validate(
        {
            "name": "Testzaal",
            "width": width,
            "height": 150 + len(rows) * ROW_GAP,
            "seat_size": 20,
            "stage": {"x": centre - 50, "y": 10, "width": 100, "height": 40},
            "price_zones": [
                {"code": "A", "name": "Rang 1", "color": "#c0392b"},
                {"code": "B", "name": "Rang 2", "color": "#2e86c1"},
            ],
            "sections": [{"code": "S", "name": "Zaal", "rows": layout_rows}],
        }
    )


def _seats(doc: LayoutDocument) -> dict[str, Seat]:
    return {key: seat for key, _section, _row, seat in doc.iter_seats()}


def _keys(*labels: str, row: str = "A") -> list[str]:
    return [f"S/{row}/{label}" for label in labels]


# Empty hall, zones


def test_two_seats_in_an_empty_theatre_are_the_centre_of_the_first_row() -> None:
    doc = theatre_600()
    row_a = doc.sections[0].rows[0]
    centre = len(row_a.seats) // 2

    assert best_available(doc, set(), quantity=2) == [
        f"STALLS/A/{row_a.seats[centre - 1].label}",
        f"STALLS/A/{row_a.seats[centre].label}",
    ]
    assert best_available(doc, set(), quantity=2) == ["STALLS/A/2", "STALLS/A/1"]


def test_the_zone_limits_the_answer_to_its_seats() -> None:
    doc = theatre_600()
    seats = _seats(doc)

    balcony = best_available(doc, set(), quantity=4, zone="C")
    back_stalls = best_available(doc, set(), quantity=3, zone="B")

    assert balcony == ["BALCONY/1/4", "BALCONY/1/2", "BALCONY/1/1", "BALCONY/1/3"]
    assert back_stalls is not None
    assert all(key.startswith("STALLS/K/") for key in back_stalls)
    assert {seats[key].zone for key in back_stalls} == {"B"}


def test_an_unknown_zone_gives_none() -> None:
    assert best_available(theatre_600(), set(), quantity=2, zone="Z") is None


def test_rows_further_back_come_later() -> None:
    doc = _layout({"A": "1 2 3 4", "B": "1 2 3 4"})

    assert best_available(doc, set(), quantity=4) == _keys("1", "2", "3", "4")
    assert best_available(doc, set(_keys("2")), quantity=4) == _keys("1", "2", "3", "4", row="B")


def test_the_stage_is_the_reference_point() -> None:
    doc = _layout({"A": "1 2 3 4 5 6"})
    assert doc.stage is not None
    stage_on_the_left = doc.model_copy(update={"stage": doc.stage.model_copy(update={"x": 0})})
    no_stage = doc.model_copy(update={"stage": None})

    assert best_available(stage_on_the_left, set(), quantity=2) == _keys("1", "2")
    assert best_available(no_stage, set(), quantity=2) == _keys("3", "4")


def test_restricted_view_seats_count_as_further_away() -> None:
    plain = _layout({"A": "1 2 3 4 5 6"})
    restricted = _layout({"A": "1 2 3 4 5 6"}, flags={"S/A/3": ["restricted_view"]})

    # Seats 3 and 4 are equally central: document order picks 3 unless its view is worse.
    assert best_available(plain, set(), quantity=1) == _keys("3")
    assert best_available(restricted, set(), quantity=1) == _keys("4")


# What is never offered


def test_unavailable_and_blocked_seats_are_never_offered() -> None:
    doc = theatre_600()
    row_a = doc.sections[0].rows[0]
    for seat in row_a.seats[10:12]:
        seat.flags = [SeatFlag.BLOCKED]
    taken = {"STALLS/A/6", "STALLS/A/3"}

    seats = best_available(doc, taken, quantity=2)

    assert seats is not None
    assert not set(seats) & (taken | {"STALLS/A/2", "STALLS/A/1"})
    assert all(key.startswith("STALLS/A/") for key in seats)


def test_wheelchair_spaces_and_companion_seats_need_an_accessible_request() -> None:
    doc = _layout(
        {"A": "1 2 3 4 5 6"},
        flags={"S/A/1": ["wheelchair"], "S/A/2": ["companion"]},
    )

    assert best_available(doc, set(), quantity=4) == _keys("3", "4", "5", "6")
    assert best_available(doc, set(), quantity=5) is None


def test_the_back_row_of_the_studio_keeps_its_wheelchair_places() -> None:
    doc = studio_250()
    seats = _seats(doc)
    back = doc.sections[0].rows[-1].label
    # Everything but the back row, and the back row's middle seat: 20 ordinary seats remain.
    taken = {key for key in seats if not key.startswith(f"ZAAL/{back}/")} | {f"ZAAL/{back}/13"}
    regular = sum(1 for key in seats if key not in taken and not RESERVED & set(seats[key].flags))

    answer = best_available(doc, taken, quantity=regular)

    assert regular == 20
    assert answer is not None
    assert all(not RESERVED & set(seats[key].flags) for key in answer)
    assert best_available(doc, taken | {answer[0]}, quantity=regular) is None


# Orphans


def test_a_row_that_leaves_no_single_seat_is_preferred() -> None:
    doc = _layout({"A": "1 2 3 4 5 6", "B": "1 2 3 4 5"})

    assert best_available(doc, set(), quantity=5) == _keys("1", "2", "3", "4", "5", row="B")


def test_a_single_seat_is_left_when_nothing_else_fits() -> None:
    doc = _layout({"A": "1 2 3 4 5 6"})

    assert best_available(doc, set(), quantity=5) == _keys("1", "2", "3", "4", "5")


def test_a_pair_does_not_strand_the_seat_next_to_a_taken_one() -> None:
    doc = _layout({"A": "1 2 3 4 5 6"})

    # Without the orphan rule 3-4, right at the centre, would win and leave seat 2 alone.
    assert best_available(doc, set(_keys("1")), quantity=2) == _keys("2", "3")


def test_wheelchair_places_bound_a_run_like_taken_seats() -> None:
    doc = _layout(
        {"A": "1 2 3 4 5 6 7 8"},
        flags={"S/A/1": ["wheelchair"], "S/A/2": ["companion"]},
    )

    # 4-5, at the centre, would strand seat 3 next to the companion seat.
    assert best_available(doc, set(), quantity=2) == _keys("3", "4")


# Aisles


def test_seats_on_both_sides_of_an_aisle_are_not_together() -> None:
    doc = _layout({"A": "1 2 | 3 4", "B": "1 2 3 4"})

    assert best_available(doc, set(), quantity=4) == _keys("1", "2", "3", "4", row="B")
    assert best_available(doc, set(), quantity=2) == _keys("1", "2")


def test_generated_aisles_split_the_rows() -> None:
    doc = generate_layout(
        GeneratorSpec(
            name="Zaal",
            price_zones=[PriceZone(code="A", name="Rang 1", color="#c0392b")],
            blocks=[
                BlockSpec(code="S", name="Zaal", rows=2, seats_per_row=4, zone="A", aisle_after=[2])
            ],
        )
    )

    # A pair, then the seat behind it that is nearer the centre.
    assert best_available(doc, set(), quantity=3) == ["S/1/1", "S/1/2", "S/2/2"]


# Wheelchair requests


def test_an_accessible_pair_is_a_wheelchair_space_and_its_companion_seat() -> None:
    doc = theatre_600()
    seats = _seats(doc)

    pair = best_available(doc, set(), quantity=2, accessible=True)

    assert pair == ["STALLS/A/22", "STALLS/A/20"]
    assert [seats[key].flags for key in pair] == [[SeatFlag.WHEELCHAIR], [SeatFlag.COMPANION]]


def test_the_next_wheelchair_space_is_offered_when_one_is_taken() -> None:
    doc = theatre_600()

    assert best_available(doc, {"STALLS/A/22"}, quantity=2, accessible=True) == [
        "STALLS/A/19",
        "STALLS/A/21",
    ]


def test_companion_seats_come_before_ordinary_seats() -> None:
    doc = _layout(
        {"A": "1 2 3 4 5"},
        flags={"S/A/3": ["wheelchair"], "S/A/4": ["companion"]},
    )

    assert best_available(doc, set(), quantity=2, accessible=True) == _keys("3", "4")
    assert best_available(doc, set(), quantity=1, accessible=True) == _keys("3")


def test_an_accessible_request_gets_exactly_one_wheelchair_space() -> None:
    doc = _layout(
        {"A": "1 2 3"},
        flags={"S/A/1": ["wheelchair"], "S/A/2": ["wheelchair"]},
    )

    assert best_available(doc, set(), quantity=2, accessible=True) == _keys("2", "3")
    assert best_available(doc, set(_keys("3")), quantity=2, accessible=True) is None


def test_an_accessible_request_needs_room_beside_a_free_wheelchair_space() -> None:
    doc = _layout(
        {"A": "1 2 | 3 4", "B": "1 2 3 4"},
        flags={"S/A/2": ["wheelchair"]},
    )

    assert best_available(doc, set(), quantity=2, accessible=True) == _keys("1", "2")
    assert best_available(doc, set(), quantity=3, accessible=True) is None
    assert best_available(doc, set(_keys("2")), quantity=1, accessible=True) is None


# Splitting


def test_a_group_is_split_over_the_fewest_blocks_when_no_row_seats_it() -> None:
    doc = _layout({"A": "1 2 | 3 4", "B": "1 2 | 3 4"})

    # The best pair first, then the pair nearest to it: right behind, not across the aisle.
    assert best_available(doc, set(), quantity=4) == [*_keys("1", "2"), *_keys("1", "2", row="B")]


def test_the_split_takes_the_last_free_seats_of_a_zone() -> None:
    doc = theatre_600()
    free = {"BALCONY/1/1", "BALCONY/1/2", "BALCONY/3/5", "BALCONY/4/9"}
    taken = {key for key, _section, _row, seat in doc.iter_seats() if seat.zone == "C"} - free

    assert best_available(doc, taken, quantity=4, zone="C") == [
        "BALCONY/1/2",
        "BALCONY/1/1",
        "BALCONY/3/5",
        "BALCONY/4/9",
    ]
    assert best_available(doc, taken, quantity=5, zone="C") is None


def test_single_seats_when_every_other_seat_is_taken() -> None:
    doc = _layout({"A": "1 2 3 4 5 6 7"})

    assert best_available(doc, set(_keys("2", "4", "6")), quantity=3) == _keys("1", "3", "5")


# Arguments


def test_none_when_fewer_seats_are_free_than_asked() -> None:
    doc = _layout({"A": "1 2 3 4"})

    assert best_available(doc, set(), quantity=5) is None
    assert best_available(doc, set(_keys("4")), quantity=4) is None
    assert best_available(standing_1200(), set(), quantity=1) is None


@pytest.mark.parametrize("quantity", [0, 21, -1])
def test_the_quantity_is_between_1_and_20(quantity: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 20"):
        best_available(theatre_600(), set(), quantity=quantity)


# offerable


def test_offerable_leaves_out_blocked_seats_and_keeps_reserved_ones_for_wheelchair_users() -> None:
    doc = theatre_600()
    doc.sections[1].rows[0].seats[5].flags = [SeatFlag.BLOCKED]
    seats = _seats(doc)

    everyone = offerable(doc)
    accessible = offerable(doc, accessible=True)

    assert len(accessible) == 599
    assert "BALCONY/1/22" not in accessible
    assert len(everyone) == 591
    assert set(everyone) == {key for key in accessible if not RESERVED & set(seats[key].flags)}
    assert everyone == [key for key in accessible if key in everyone]


# Properties


def test_answers_on_random_states_of_the_theatre_are_sound() -> None:
    doc = theatre_600()
    for section in doc.sections:
        section.rows[3].seats[4].flags = [SeatFlag.BLOCKED]
    seats = _seats(doc)
    order = {key: index for index, key in enumerate(seats)}
    rng = random.Random(1)
    answered = 0
    for _ in range(300):
        taken = set(rng.sample(sorted(seats), rng.choice([0, 50, 300, 550, 590])))
        quantity = rng.randint(1, 20)
        zone = rng.choice([None, "A", "B", "C"])
        accessible = rng.random() < 0.2

        answer = best_available(doc, taken, quantity=quantity, zone=zone, accessible=accessible)

        if answer is None:
            free = [
                key
                for key in offerable(doc, accessible=accessible)
                if key not in taken and zone in (None, seats[key].zone)
            ]
            assert accessible or len(free) < quantity
            continue
        answered += 1
        assert len(answer) == quantity
        assert len(set(answer)) == quantity
        assert answer == sorted(answer, key=order.__getitem__)
        assert not set(answer) & taken
        assert all(SeatFlag.BLOCKED not in seats[key].flags for key in answer)
        assert zone is None or {seats[key].zone for key in answer} == {zone}
        wheelchair = [key for key in answer if SeatFlag.WHEELCHAIR in seats[key].flags]
        if accessible:
            assert len(wheelchair) == 1
            assert len({key.rsplit("/", 1)[0] for key in answer}) == 1
        else:
            assert all(not RESERVED & set(seats[key].flags) for key in answer)
    assert answered > 150


async def test_clerks_choosing_at_once_in_one_process_get_different_seats(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Requests of one API process that choose best seats at the same moment choose
    around each other's choice instead of all racing for the same seats; when only those
    seats are left, they are tried after all."""
    index = index_layout(uuid.uuid4(), _layout({"1": "1 2 3 4 5 6"}))
    places = repository.NewPlaces(
        uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), "held", None
    )
    release = asyncio.Event()
    tried: list[set[str]] = []

    async def no_seat_taken(*args: Any) -> tuple[set[str], set[str]]:
        return set(), set()

    async def take(
        _session: Any, _places: Any, seats: dict[str, str], *args: Any, **kw: Any
    ) -> tuple[list[Any], set[str]]:
        tried.append(set(seats))
        await release.wait()  # everyone has chosen before anyone has stored
        return [], set()

    monkeypatch.setattr(repository, "seat_states", no_seat_taken)
    monkeypatch.setattr(repository, "take_seats", take)
    now = datetime.now(UTC)
    best = BestRequest(quantity=2)
    clerks = [
        asyncio.create_task(service._hold_best(None, places, index, best, now))  # type: ignore[arg-type]
        for _ in range(4)
    ]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*clerks)
    first_three = tried[:3]
    assert all(len(seats) == 2 for seats in tried)
    # The first three split the six seats between them, the middle pair first...
    assert first_three[0] == {"S/1/3", "S/1/4"}
    assert set().union(*first_three) == {f"S/1/{n}" for n in range(1, 7)}
    # ...and the fourth, finding only seats others are taking, tried the best anyway.
    assert tried[3] == {"S/1/3", "S/1/4"}
    assert not service._CHOOSING


def test_a_plan_shared_by_many_requests_answers_as_a_fresh_one() -> None:
    """The layout cache keeps one plan per layout for every request: no request (not even
    one split over several rows, which marks seats as it goes) may change it."""
    doc = theatre_600()
    shared = HallPlan(doc)
    keys = [key for key, *_ in doc.iter_seats()]
    rng = random.Random(7)
    for taken in (0, 150, 450, 560, 590):
        unavailable = set(rng.sample(keys, taken))
        for quantity in (1, 3, 4, 7):
            for zone in (None, "A", "B", "C"):
                for accessible in (False, True):
                    fresh = best_available(
                        doc, unavailable, quantity=quantity, zone=zone, accessible=accessible
                    )
                    reused = best_available(
                        doc,
                        unavailable,
                        quantity=quantity,
                        zone=zone,
                        accessible=accessible,
                        plan=shared,
                    )
                    assert reused == fresh
