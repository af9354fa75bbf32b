"""Performance status transitions, as tables: no HTTP, no database.

events.performances: check_transition (which status may follow which), check_changeable
(a cancelled performance is final; only a draft takes another seat map) and
check_ready_for_sale (what going on sale asks of the event and the prices).
"""

from __future__ import annotations

from itertools import product

import pytest

from ticketing.core.errors import Conflict, InvalidInput
from ticketing.events.models import EventStatus, PerformanceStatus
from ticketing.events.performances import (
    TRANSITIONS,
    check_changeable,
    check_ready_for_sale,
    check_transition,
)

DRAFT, ON_SALE = PerformanceStatus.DRAFT.value, PerformanceStatus.ON_SALE.value
SOLD_OUT, CANCELLED = PerformanceStatus.SOLD_OUT.value, PerformanceStatus.CANCELLED.value

# Every pair of different statuses, and whether the change is allowed.
ALLOWED = {
    (DRAFT, ON_SALE): "put on sale",
    (DRAFT, CANCELLED): "cancel a draft",
    (ON_SALE, SOLD_OUT): "declare sold out",
    (ON_SALE, DRAFT): "take off sale",
    (ON_SALE, CANCELLED): "cancel while on sale",
    (SOLD_OUT, ON_SALE): "back on sale",
    (SOLD_OUT, CANCELLED): "cancel when sold out",
}
PAIRS = [(a, b) for a, b in product(PerformanceStatus, repeat=2) if a != b]


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        pytest.param(
            a.value,
            b.value,
            (a, b) in ALLOWED,
            id=f"{a} -> {b}: "
            + (f"allowed ({ALLOWED[(a, b)]})" if (a, b) in ALLOWED else "refused"),
        )
        for a, b in PAIRS
    ],
)
def test_status_transitions(current: str, new: str, allowed: bool) -> None:
    if allowed:
        check_transition(current, new)
    else:
        with pytest.raises(InvalidInput, match=f"cannot go from {current} to {new}") as raised:
            check_transition(current, new)
        assert [e.field for e in raised.value.errors] == ["status"]


def test_the_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(PerformanceStatus)
    assert len(PAIRS) == 12


@pytest.mark.parametrize(
    ("status", "swaps_layout", "refusal"),
    [
        pytest.param(DRAFT, False, None, id="draft, edit -> fine"),
        pytest.param(DRAFT, True, None, id="draft, new seat map -> fine"),
        pytest.param(ON_SALE, False, None, id="on sale, edit -> fine"),
        pytest.param(ON_SALE, True, "cannot be swapped", id="on sale, new seat map -> refused"),
        pytest.param(SOLD_OUT, False, None, id="sold out, edit -> fine"),
        pytest.param(SOLD_OUT, True, "cannot be swapped", id="sold out, new seat map -> refused"),
        pytest.param(
            CANCELLED, False, "cannot be changed any more", id="cancelled, edit -> refused"
        ),
        pytest.param(
            CANCELLED,
            True,
            "cannot be changed any more",
            id="cancelled, new seat map -> refused as final",
        ),
    ],
)
def test_what_may_change(status: str, swaps_layout: bool, refusal: str | None) -> None:
    if refusal is None:
        check_changeable(status, swaps_layout=swaps_layout)
    else:
        with pytest.raises(Conflict, match=refusal):
            check_changeable(status, swaps_layout=swaps_layout)


@pytest.mark.parametrize(
    ("event_status", "zones_used", "priced", "refusal"),
    [
        pytest.param(
            EventStatus.PUBLISHED, {"A", "B"}, {"A", "B"}, None, id="published, all priced -> fine"
        ),
        pytest.param(
            EventStatus.DRAFT,
            {"A", "B"},
            {"A", "B"},
            None,
            id="event still a draft -> fine (sells at the box office)",
        ),
        pytest.param(
            EventStatus.PUBLISHED,
            {"A"},
            {"A", "B"},
            None,
            id="a price for a zone not in use -> fine",
        ),
        pytest.param(
            EventStatus.PUBLISHED, set(), set(), None, id="no zones in use, no prices -> fine"
        ),
        pytest.param(
            EventStatus.PUBLISHED,
            {"A", "B", "S"},
            {"A"},
            ["B", "S"],
            id="two zones without a price -> refused, both named",
        ),
        pytest.param(
            EventStatus.PUBLISHED, {"S"}, set(), ["S"], id="standing zone unpriced -> refused"
        ),
        pytest.param(
            EventStatus.ARCHIVED,
            {"A"},
            {"A"},
            Conflict,
            id="event archived -> conflict",
        ),
        pytest.param(
            EventStatus.ARCHIVED,
            {"A"},
            set(),
            Conflict,
            id="archived and unpriced -> the archive wins",
        ),
    ],
)
def test_ready_for_sale(
    event_status: str,
    zones_used: set[str],
    priced: set[str],
    refusal: list[str] | type[Conflict] | None,
) -> None:
    if refusal is None:
        check_ready_for_sale(event_status, zones_used, priced)
    elif isinstance(refusal, list):
        with pytest.raises(InvalidInput) as raised:
            check_ready_for_sale(event_status, zones_used, priced)
        assert [e.message for e in raised.value.errors] == [
            f"Price zone {zone} has no price." for zone in refusal
        ]
    else:
        with pytest.raises(refusal, match="archived"):
            check_ready_for_sale(event_status, zones_used, priced)
