"""Best available, as a table of small halls: which seats win. No HTTP, no database.

Each hall is drawn row by row, front (nearest the stage) to back, one character a seat:

    .  a free seat            #  a taken seat (held, sold or blocked for this performance)
    |  an aisle (no seat)     X  a seat the seat map never sells (blocked)
    R  a restricted-view seat b  a free seat of price zone B (every other seat is zone A)
    W  a wheelchair space     w  a wheelchair space that is taken
    C  a companion seat

Seats are numbered from 1 left to right in each row, aisles not counted; rows are A, B,
C... The answer is written the same way: "A3 A4" is row A, seats 3 and 4.
"""

from __future__ import annotations

from typing import Any

import pytest

from ticketing.inventory.best import MAX_QUANTITY, MIN_QUANTITY, best_available
from ticketing.seatmaps.layout import LayoutDocument, SeatFlag

SPACING = 25  # centre to centre of neighbouring seats; the seat size is 20
ROW_GAP = 30
FLAGS = {
    "X": [SeatFlag.BLOCKED],
    "R": [SeatFlag.RESTRICTED_VIEW],
    "W": [SeatFlag.WHEELCHAIR],
    "w": [SeatFlag.WHEELCHAIR],
    "C": [SeatFlag.COMPANION],
}
TAKEN = {"#", "w"}


def hall(*rows: str) -> tuple[LayoutDocument, set[str]]:
    """The layout drawn by rows (see the module's docstring), and the seats taken in it."""
    widest = max(len(row) for row in rows)
    width = 100 + widest * SPACING
    centre = width / 2
    taken: set[str] = set()
    layout_rows: list[dict[str, Any]] = []
    for index, row in enumerate(rows):
        label = chr(ord("A") + index)
        middle = (len(row) - 1) / 2
        seats = []
        for slot, mark in enumerate(row):
            if mark == "|":
                continue
            number = str(len(seats) + 1)
            seats.append(
                {
                    "label": number,
                    "x": centre + (slot - middle) * SPACING,
                    "y": 100 + index * ROW_GAP,
                    "zone": "B" if mark == "b" else "A",
                    "flags": FLAGS.get(mark, []),
                }
            )
            if mark in TAKEN:
                taken.add(f"S/{label}/{number}")
        layout_rows.append({"label": label, "seats": seats})
    doc = LayoutDocument.model_validate(
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
    return doc, taken


def _short(keys: list[str] | None) -> str | None:
    """["S/A/3", "S/A/4"] -> "A3 A4"."""
    if keys is None:
        return None
    return " ".join(row + seat for _, row, seat in (key.split("/") for key in keys))


def case(
    rows: tuple[str, ...] | str,
    quantity: int,
    answer: str | None,
    rule: str,
    *,
    zone: str | None = None,
    accessible: bool = False,
) -> object:
    rows = (rows,) if isinstance(rows, str) else rows
    return pytest.param(rows, quantity, zone, accessible, answer, id=rule)


CASES = [
    # 1. Free seats of the zone; blocked seats never.
    case("......", 1, "A3", "one seat of six -> the centre, left of the mirror pair"),
    case("......", 2, "A3 A4", "a pair -> the centre two"),
    case("......", 6, "A1 A2 A3 A4 A5 A6", "the whole row -> the whole row"),
    case("......", 7, None, "more than the hall holds -> none"),
    case("##.###", 1, "A3", "the one free seat -> it"),
    case("##.###", 2, None, "one free seat, two asked -> none"),
    case("######", 1, None, "everything taken -> none"),
    case("XXXXXX", 1, None, "every seat blocked in the seat map -> none"),
    case("..XX..", 2, "A1 A2", "blocked centre seats are skipped"),
    case("..bb..", 2, "A3 A4", "zone B -> the B seats", zone="B"),
    case("..bb..", 2, "A1 A2", "zone A -> around the B seats", zone="A"),
    case("..bb..", 3, None, "three of zone B, two exist -> none", zone="B"),
    case("......", 1, None, "an unknown zone -> none", zone="Z"),
    case(("....", "bbbb"), 2, "B1 B2", "zone B at the back -> the back row", zone="B"),
    # 3. Side by side in one row; an aisle separates.
    case(("....", "...."), 4, "A1 A2 A3 A4", "four in an empty hall -> the front row"),
    case((".#..", "...."), 4, "B1 B2 B3 B4", "front row broken -> the row behind, together"),
    case(("..|..", "....."), 3, "B1 B2 B3", "three across an aisle are not together -> next row"),
    case(("..|..", "....", "......"), 4, "B1 B2 B3 B4", "the nearest row that fits wins"),
    # 4. Nearest the stage's centre; restricted view counts extra.
    case("..RR..", 2, "A1 A2", "restricted centre seats -> a clear pair off centre"),
    case(("..RR..", "......"), 2, "A1 A2", "a clear pair at the side beats a row back"),
    case("R....R", 4, "A1 A2 A3 A4", "a stranded seat weighs more than a restricted view"),
    case("..R...", 1, "A4", "of two centre seats, the one with a clear view"),
    # 5. No single seat stranded when another choice avoids it.
    case("..#...", 2, "A1 A2", "a pair does not strand the seat beside a taken one"),
    case("...", 2, "A1 A2", "three free, two asked -> a single seat is unavoidable"),
    case("......", 3, "A1 A2 A3", "three of six -> an end, not the centre that strands one"),
    case("..|...", 2, "A1 A2", "the aisle bounds a run like a taken seat"),
    # 2. Wheelchair spaces and companion seats only for wheelchair requests.
    case("WC....", 2, "A3 A4", "ordinary pair -> never the wheelchair or companion seats"),
    case("WC##", 1, None, "only reserved seats left, ordinary request -> none"),
    case("WC....", 2, "A1 A2", "accessible pair -> the space and its companion", accessible=True),
    case(
        ".WC.",
        2,
        "A2 A3",
        "accessible pair -> the companion before an ordinary seat",
        accessible=True,
    ),
    case("WC....", 3, "A1 A2 A3", "accessible three -> space, companion, seat", accessible=True),
    case("..W...", 1, "A3", "accessible one -> the wheelchair space", accessible=True),
    case("W.W...", 2, "A3 A4", "accessible pair -> the central space", accessible=True),
    case(
        "WW....",
        2,
        "A2 A3",
        "two spaces side by side, a pair -> one space and a seat",
        accessible=True,
    ),
    case("WW", 2, None, "two spaces and nothing else, a pair -> none", accessible=True),
    case("wC....", 2, None, "the only space taken -> none", accessible=True),
    case(("wC..", "W..."), 2, "B1 B2", "front space taken -> the next free one", accessible=True),
    case("W#..", 2, None, "no room beside the space -> none", accessible=True),
    # 6. No row seats everyone: the fewest blocks, each near the ones chosen.
    case("..#..", 4, "A1 A2 A4 A5", "four in a row split by a taken seat -> two pairs"),
    case(("...", "..."), 4, "A1 A2 A3 B1", "four in rows of three -> three and one behind"),
    case(".#.#.", 2, "A1 A3", "every other seat taken -> single seats"),
    case(".#.#.", 4, None, "three single seats, four asked -> none"),
    case("..|..", 3, "A1 A2 A3", "a pair and the nearest seat across the aisle"),
    case("..#.#.#..", 3, "A1 A2 A4", "a pair and a seat rather than three single seats"),
    case((".#.#.", "..##."), 3, "A1 B1 B2", "the pair, then the seat nearest it, not the stage"),
    case(
        ("...#.#...", "#########", "#.#######"),
        4,
        "A1 A2 A3 C2",
        "the seat nearest the block, even two rows back",
    ),
]


@pytest.mark.parametrize(("rows", "quantity", "zone", "accessible", "answer"), CASES)
def test_best_available(
    rows: tuple[str, ...], quantity: int, zone: str | None, accessible: bool, answer: str | None
) -> None:
    doc, taken = hall(*rows)
    found = best_available(doc, taken, quantity=quantity, zone=zone, accessible=accessible)
    assert _short(found) == answer


@pytest.mark.parametrize(
    ("quantity", "allowed"),
    [
        pytest.param(MIN_QUANTITY - 1, False, id="0 seats -> refused"),
        pytest.param(MIN_QUANTITY, True, id="1 seat -> asked"),
        pytest.param(MAX_QUANTITY, True, id="20 seats -> asked"),
        pytest.param(MAX_QUANTITY + 1, False, id="21 seats -> refused"),
    ],
)
def test_quantity_bounds(quantity: int, allowed: bool) -> None:
    doc, taken = hall("." * 30)
    if allowed:
        assert len(best_available(doc, taken, quantity=quantity) or []) == quantity
    else:
        with pytest.raises(ValueError, match="between 1 and 20"):
            best_available(doc, taken, quantity=quantity)
