"""The sale rules, as tables: when a performance may be sold, on which channel.

inventory.service.check_sellable is the one copy of the rules for every moment of sale
(taking places, checking out a basket, starting or taking a payment); events.performances
._check_times is what a performance's sales windows may be at all.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from ticketing.core.errors import InvalidInput
from ticketing.events.models import EventStatus, Performance, PerformanceStatus
from ticketing.events.performances import _check_times
from ticketing.inventory.models import Channel
from ticketing.inventory.repository import SaleTarget
from ticketing.inventory.service import SaleClosed, SoldOut, check_sellable

ONLINE, BOX_OFFICE = Channel.ONLINE.value, Channel.BOX_OFFICE.value
DRAFT, ON_SALE = PerformanceStatus.DRAFT.value, PerformanceStatus.ON_SALE.value
SOLD_OUT, CANCELLED = PerformanceStatus.SOLD_OUT.value, PerformanceStatus.CANCELLED.value
PUBLISHED, EVENT_DRAFT = EventStatus.PUBLISHED.value, EventStatus.DRAFT.value
ARCHIVED = EventStatus.ARCHIVED.value

STARTS = datetime(2027, 3, 1, 19, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(hours=2, minutes=30)
HOUR = timedelta(hours=1)
TICK = timedelta(microseconds=1)

PERFORMANCE = SaleTarget(
    id=uuid.UUID(int=1),
    house_id=uuid.UUID(int=2),
    cluster_id=uuid.UUID(int=3),
    layout_id=uuid.UUID(int=4),
    status=ON_SALE,
    event_status=PUBLISHED,
    starts_at=STARTS,
    ends_at=ENDS,
    online_sales_from=None,
    online_sales_until=None,
    box_office_sales_from=None,
    box_office_sales_until=None,
    title={"nl": "Hamlet"},
)

OK, CLOSED, SOLD = "sells", "sale-closed", "sold-out"


def _case(
    outcome: str,
    channel: str,
    now: datetime,
    *,
    held: bool = False,
    id: str,
    **performance: object,
) -> object:
    return pytest.param(replace(PERFORMANCE, **performance), channel, now, held, outcome, id=id)


WEEK_BEFORE = STARTS - timedelta(days=7)

STATUS = [
    # Performance and event status, for a moment inside every window.
    _case(OK, ONLINE, WEEK_BEFORE, id="online, on sale, published -> sells"),
    _case(CLOSED, ONLINE, WEEK_BEFORE, status=DRAFT, id="online, draft -> sale-closed"),
    _case(CLOSED, ONLINE, WEEK_BEFORE, status=CANCELLED, id="online, cancelled -> sale-closed"),
    _case(SOLD, ONLINE, WEEK_BEFORE, status=SOLD_OUT, id="online, sold out -> sold-out"),
    _case(
        OK,
        ONLINE,
        WEEK_BEFORE,
        held=True,
        status=SOLD_OUT,
        id="online, sold out, places already held -> sells them",
    ),
    _case(
        CLOSED,
        ONLINE,
        WEEK_BEFORE,
        held=True,
        status=DRAFT,
        id="online, taken off sale (draft) with places held -> sale-closed",
    ),
    _case(
        CLOSED,
        ONLINE,
        WEEK_BEFORE,
        held=True,
        status=CANCELLED,
        id="online, cancelled with places held -> sale-closed",
    ),
    _case(
        CLOSED,
        ONLINE,
        WEEK_BEFORE,
        event_status=EVENT_DRAFT,
        id="online, event not published -> sale-closed",
    ),
    _case(
        CLOSED,
        ONLINE,
        WEEK_BEFORE,
        event_status=ARCHIVED,
        id="online, event archived -> sale-closed",
    ),
    _case(
        CLOSED,
        ONLINE,
        WEEK_BEFORE,
        held=True,
        event_status=EVENT_DRAFT,
        id="online, event unpublished with places held -> sale-closed",
    ),
    _case(
        SOLD,
        ONLINE,
        WEEK_BEFORE,
        status=SOLD_OUT,
        event_status=EVENT_DRAFT,
        id="online, sold out and unpublished -> sold-out first",
    ),
    _case(OK, BOX_OFFICE, WEEK_BEFORE, id="box office, on sale -> sells"),
    _case(CLOSED, BOX_OFFICE, WEEK_BEFORE, status=DRAFT, id="box office, draft -> sale-closed"),
    _case(
        CLOSED, BOX_OFFICE, WEEK_BEFORE, status=CANCELLED, id="box office, cancelled -> sale-closed"
    ),
    _case(
        CLOSED,
        BOX_OFFICE,
        WEEK_BEFORE,
        held=True,
        status=CANCELLED,
        id="box office, cancelled with places held -> sale-closed",
    ),
    _case(
        OK,
        BOX_OFFICE,
        WEEK_BEFORE,
        status=SOLD_OUT,
        id="box office, declared sold out -> still sells",
    ),
    _case(
        OK,
        BOX_OFFICE,
        WEEK_BEFORE,
        event_status=EVENT_DRAFT,
        id="box office, event not published -> sells",
    ),
    _case(
        OK,
        BOX_OFFICE,
        WEEK_BEFORE,
        event_status=ARCHIVED,
        id="box office, event archived -> sells",
    ),
]

WINDOWS = [
    # Online with no window: from now until the performance starts.
    _case(OK, ONLINE, STARTS - TICK, id="online, no window, just before the start -> sells"),
    _case(CLOSED, ONLINE, STARTS, id="online, no window, at the start -> sale-closed"),
    _case(CLOSED, ONLINE, STARTS + HOUR, id="online, no window, during the show -> sale-closed"),
    _case(
        CLOSED,
        ONLINE,
        STARTS,
        held=True,
        id="online, no window, at the start with places held -> sale-closed",
    ),
    # Online with a window.
    _case(
        CLOSED,
        ONLINE,
        STARTS - 3 * HOUR - TICK,
        online_sales_from=STARTS - 3 * HOUR,
        id="online, a moment before the sale opens -> sale-closed",
    ),
    _case(
        OK,
        ONLINE,
        STARTS - 3 * HOUR,
        online_sales_from=STARTS - 3 * HOUR,
        id="online, the very moment the sale opens -> sells",
    ),
    _case(
        CLOSED,
        ONLINE,
        STARTS - 2 * HOUR,
        online_sales_until=STARTS - 2 * HOUR,
        id="online, the very moment the sale closes -> sale-closed",
    ),
    _case(
        OK,
        ONLINE,
        STARTS - 2 * HOUR - TICK,
        online_sales_until=STARTS - 2 * HOUR,
        id="online, a moment before the sale closes -> sells",
    ),
    _case(
        CLOSED,
        ONLINE,
        STARTS - HOUR,
        online_sales_until=STARTS - 2 * HOUR,
        id="online, sale ended an hour ago -> sale-closed",
    ),
    _case(
        OK,
        ONLINE,
        STARTS + HOUR,
        online_sales_until=STARTS + 2 * HOUR,
        id="online, window set past the start -> sells during the show",
    ),
    _case(
        CLOSED,
        ONLINE,
        STARTS - HOUR,
        held=True,
        online_sales_until=STARTS - 2 * HOUR,
        id="online, sale closed with places held -> sale-closed",
    ),
    _case(
        OK,
        ONLINE,
        WEEK_BEFORE,
        box_office_sales_from=STARTS,
        id="online ignores the box-office window",
    ),
    # Box office with no window: until the performance ends.
    _case(OK, BOX_OFFICE, STARTS + HOUR, id="box office, no window, during the show -> sells"),
    _case(OK, BOX_OFFICE, ENDS - TICK, id="box office, no window, just before the end -> sells"),
    _case(CLOSED, BOX_OFFICE, ENDS, id="box office, no window, at the end -> sale-closed"),
    # Box office with a window.
    _case(
        CLOSED,
        BOX_OFFICE,
        STARTS - HOUR - TICK,
        box_office_sales_from=STARTS - HOUR,
        id="box office, a moment before the counter opens -> sale-closed",
    ),
    _case(
        OK,
        BOX_OFFICE,
        STARTS - HOUR,
        box_office_sales_from=STARTS - HOUR,
        id="box office, the very moment the counter opens -> sells",
    ),
    _case(
        CLOSED,
        BOX_OFFICE,
        STARTS,
        box_office_sales_until=STARTS,
        id="box office, the very moment the counter closes -> sale-closed",
    ),
    _case(
        OK,
        BOX_OFFICE,
        STARTS - TICK,
        box_office_sales_until=STARTS,
        id="box office, a moment before the counter closes -> sells",
    ),
    _case(
        OK,
        BOX_OFFICE,
        WEEK_BEFORE,
        online_sales_from=STARTS,
        id="box office ignores the online window",
    ),
    _case(
        CLOSED,
        BOX_OFFICE,
        STARTS + HOUR,
        held=True,
        box_office_sales_until=STARTS,
        id="box office, counter closed with places held -> sale-closed",
    ),
]


@pytest.mark.parametrize(("performance", "channel", "now", "held", "outcome"), STATUS + WINDOWS)
def test_check_sellable(
    performance: SaleTarget, channel: str, now: datetime, held: bool, outcome: str
) -> None:
    if outcome == OK:
        check_sellable(performance, channel, now, held=held)
        return
    refusal = SoldOut if outcome == SOLD else SaleClosed
    with pytest.raises(refusal) as raised:
        check_sellable(performance, channel, now, held=held)
    assert type(raised.value) is refusal
    assert raised.value.type_slug == outcome


@pytest.mark.parametrize(
    ("performance", "now", "message"),
    [
        pytest.param(
            replace(PERFORMANCE, status=CANCELLED),
            WEEK_BEFORE,
            "Hamlet (01/03/2027 20:00) is cancelled",
            id="cancelled names the performance in Brussels time",
        ),
        pytest.param(
            replace(PERFORMANCE, online_sales_from=STARTS - 3 * HOUR),
            WEEK_BEFORE,
            "Online sales for Hamlet (01/03/2027 20:00) open on 01/03/2027 17:00",
            id="not open yet says when it opens",
        ),
        pytest.param(
            PERFORMANCE,
            STARTS,
            "Online sales for Hamlet (01/03/2027 20:00) have closed",
            id="closed says so",
        ),
    ],
)
def test_refusals_say_why(performance: SaleTarget, now: datetime, message: str) -> None:
    with pytest.raises(SaleClosed, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_sellable(performance, ONLINE, now)


# --- what a performance's sales windows may be ---------------------------------------------


def _performance(**times: datetime | None) -> Performance:
    values: dict[str, datetime | None] = {"starts_at": STARTS, "ends_at": ENDS}
    values.update(times)
    return Performance(**values)


@pytest.mark.parametrize(
    ("times", "refused"),
    [
        pytest.param({}, [], id="no windows -> fine"),
        pytest.param({"ends_at": STARTS}, ["ends_at"], id="ends as it starts -> refused"),
        pytest.param(
            {"ends_at": STARTS - HOUR}, ["ends_at"], id="ends before it starts -> refused"
        ),
        pytest.param(
            {"online_sales_from": WEEK_BEFORE, "online_sales_until": STARTS},
            [],
            id="online window closing at the start -> fine",
        ),
        pytest.param(
            {"online_sales_from": STARTS, "online_sales_until": STARTS},
            ["online_sales_until"],
            id="online window closing as it opens -> refused",
        ),
        pytest.param(
            {"online_sales_from": STARTS, "online_sales_until": STARTS - HOUR},
            ["online_sales_until"],
            id="online window closing before it opens -> refused",
        ),
        pytest.param(
            {"online_sales_until": ENDS}, [], id="online sales until the very end -> fine"
        ),
        pytest.param(
            {"online_sales_until": ENDS + TICK},
            ["online_sales_until"],
            id="online sales after the end -> refused",
        ),
        pytest.param(
            {"box_office_sales_until": ENDS}, [], id="counter open until the very end -> fine"
        ),
        pytest.param(
            {"box_office_sales_until": ENDS + TICK},
            ["box_office_sales_until"],
            id="counter open after the end -> refused",
        ),
        pytest.param(
            {"box_office_sales_from": STARTS, "box_office_sales_until": STARTS},
            ["box_office_sales_until"],
            id="counter closing as it opens -> refused",
        ),
        pytest.param(
            {"online_sales_from": ENDS + HOUR},
            [],
            id="online opening after the end is not refused (never sells)",
        ),
        pytest.param(
            {"online_sales_until": WEEK_BEFORE},
            [],
            id="online closed before anything opened is fine (no from)",
        ),
        pytest.param(
            {
                "ends_at": STARTS,
                "online_sales_from": STARTS + HOUR,
                "online_sales_until": STARTS + HOUR / 2,
                "box_office_sales_until": ENDS + HOUR,
            },
            ["ends_at", "online_sales_until", "online_sales_until", "box_office_sales_until"],
            id="every mistake is reported, in field order",
        ),
    ],
)
def test_sales_windows_of_a_performance(
    times: dict[str, datetime | None], refused: list[str]
) -> None:
    performance = _performance(**times)
    if not refused:
        _check_times(performance)
        return
    with pytest.raises(InvalidInput) as raised:
        _check_times(performance)
    assert [e.field for e in raised.value.errors] == refused
