"""The order-state rules, as tables: no HTTP, no database.

orders.lifecycle: settle_status (an order's status after money went back), is_due (an
unpaid order whose time is up expires), cancellation (what cancelling tickets does to
them, to the money owed back and to the order) and select_tickets (which tickets a
cancellation may name). Paying: orders.box_office.check_reservation_payable and
check_reserve_until, payments.stripe_flow.check_payable_online. Baskets:
inventory.service.require_active.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from ticketing import clock
from ticketing.core.errors import Conflict, InvalidInput
from ticketing.inventory.models import Hold, HoldStatus
from ticketing.inventory.service import HoldExpired, require_active
from ticketing.orders.box_office import check_reservation_payable, check_reserve_until
from ticketing.orders.lifecycle import cancellation, is_due, select_tickets, settle_status
from ticketing.orders.models import Order, OrderStatus, Ticket, TicketStatus
from ticketing.payments.stripe_flow import check_payable_online

PENDING, RESERVED, PAID = OrderStatus.PENDING, OrderStatus.RESERVED, OrderStatus.PAID
PARTLY, REFUNDED = OrderStatus.PARTLY_REFUNDED, OrderStatus.REFUNDED
CANCELLED, EXPIRED, REFUND_DUE = OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REFUND_DUE

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def _order(
    status: str,
    *,
    paid: int = 0,
    refunded: int = 0,
    fees: int = 0,
    attention: bool = False,
    pay_before: datetime | None = None,
) -> Order:
    return Order(
        status=status,
        paid_cents=paid,
        refunded_cents=refunded,
        fees_cents=fees,
        needs_attention=attention,
        pay_before=pay_before,
    )


# --- settle_status ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "paid", "refunded", "live", "after", "attention"),
    [
        pytest.param(
            PAID, 5000, 0, True, PAID, True, id="paid, nothing back -> paid (attention kept)"
        ),
        pytest.param(PAID, 5000, 2000, True, PARTLY, True, id="paid, part back -> partly"),
        pytest.param(
            PAID, 5000, 4999, True, PARTLY, True, id="paid, all but a cent back -> partly"
        ),
        pytest.param(PAID, 5000, 5000, True, REFUNDED, False, id="paid, all back -> refunded"),
        pytest.param(
            PAID, 5000, 5000, False, REFUNDED, False, id="paid, all back, no tickets -> refunded"
        ),
        pytest.param(
            PAID, 5000, 6000, True, REFUNDED, False, id="paid, more than paid back -> refunded"
        ),
        pytest.param(
            PAID,
            5000,
            2000,
            False,
            PAID,
            True,
            id="paid, part back, no live tickets -> stays paid",
        ),
        pytest.param(PARTLY, 5000, 3000, True, PARTLY, True, id="partly, more back -> partly"),
        pytest.param(
            PARTLY, 5000, 5000, True, REFUNDED, False, id="partly, the rest back -> refunded"
        ),
        pytest.param(
            PARTLY,
            5000,
            3000,
            False,
            PARTLY,
            True,
            id="partly, no live tickets left -> stays partly",
        ),
        pytest.param(
            REFUND_DUE,
            5000,
            5000,
            False,
            REFUNDED,
            False,
            id="refund due, all back -> refunded, attention cleared",
        ),
        pytest.param(
            REFUND_DUE,
            5000,
            2000,
            False,
            REFUND_DUE,
            True,
            id="refund due, part back -> still due, still needs attention",
        ),
        pytest.param(
            REFUND_DUE,
            5000,
            0,
            False,
            REFUND_DUE,
            True,
            id="refund due, nothing back -> still due",
        ),
        pytest.param(
            PAID,
            0,
            0,
            True,
            REFUNDED,
            False,
            id="paid nothing (free order), nothing back -> refunded (edge)",
        ),
        pytest.param(
            PENDING, 0, 0, True, PENDING, True, id="pending is not touched (attention kept)"
        ),
        pytest.param(RESERVED, 5000, 5000, True, RESERVED, True, id="reserved is not touched"),
        pytest.param(CANCELLED, 0, 0, False, CANCELLED, True, id="cancelled is not touched"),
        pytest.param(EXPIRED, 0, 0, False, EXPIRED, True, id="expired is not touched"),
        pytest.param(
            REFUNDED, 5000, 5000, False, REFUNDED, True, id="refunded is not touched again"
        ),
    ],
)
def test_settle_status(
    status: str, paid: int, refunded: int, live: bool, after: str, attention: bool
) -> None:
    # Every order starts out needing attention, so the table shows where the rule clears it.
    order = _order(status, paid=paid, refunded=refunded, attention=True)
    settle_status(order, live)
    assert (order.status, order.needs_attention) == (after, attention)
    assert (order.paid_cents, order.refunded_cents) == (paid, refunded)


# --- is_due: an unpaid order whose time is up --------------------------------------------


@pytest.mark.parametrize(
    ("status", "pay_before", "due"),
    [
        pytest.param(PENDING, NOW - timedelta(minutes=1), True, id="pending, a minute late -> due"),
        pytest.param(PENDING, NOW, True, id="pending, deadline this very moment -> due"),
        pytest.param(PENDING, NOW + TICK, False, id="pending, deadline a moment away -> not due"),
        pytest.param(PENDING, None, False, id="pending without a deadline -> never due"),
        pytest.param(RESERVED, NOW - timedelta(days=1), True, id="reservation a day late -> due"),
        pytest.param(RESERVED, NOW, True, id="reservation, deadline now -> due"),
        pytest.param(RESERVED, NOW + timedelta(days=1), False, id="reservation in time -> no"),
        pytest.param(PAID, NOW - timedelta(days=1), False, id="paid -> never due"),
        pytest.param(PARTLY, NOW - timedelta(days=1), False, id="partly refunded -> never due"),
        pytest.param(REFUND_DUE, NOW - timedelta(days=1), False, id="refund due -> never due"),
        pytest.param(CANCELLED, NOW - timedelta(days=1), False, id="cancelled -> never due"),
        pytest.param(EXPIRED, NOW - timedelta(days=1), False, id="expired -> not again"),
        pytest.param(REFUNDED, NOW - timedelta(days=1), False, id="refunded -> never due"),
    ],
)
def test_is_due(status: str, pay_before: datetime | None, due: bool) -> None:
    assert is_due(_order(status, pay_before=pay_before), NOW) is due


# --- cancellation: tickets, money owed back, the order -----------------------------------

T_REFUNDED, T_CANCELLED = TicketStatus.REFUNDED, TicketStatus.CANCELLED


def _tickets(*prices: int) -> list[Ticket]:
    return [Ticket(id=uuid.uuid4(), price_cents=p, status=TicketStatus.VALID) for p in prices]


@pytest.mark.parametrize(
    ("order", "prices", "live_after", "statuses", "owed", "order_cancelled"),
    [
        pytest.param(
            _order(PAID, paid=6300, fees=300),
            (3000,),
            True,
            [T_REFUNDED],
            3000,
            False,
            id="paid, one of two tickets -> its price back, no fees",
        ),
        pytest.param(
            _order(PAID, paid=6300, fees=300),
            (3000, 3000),
            False,
            [T_REFUNDED] * 2,
            6300,
            False,
            id="paid, every ticket -> prices and fees back, order stays for the refund",
        ),
        pytest.param(
            _order(PAID, paid=6300, refunded=3000, fees=300),
            (3000,),
            False,
            [T_REFUNDED],
            3300,
            False,
            id="paid, the last ticket after a partial refund -> rest and fees",
        ),
        pytest.param(
            _order(PARTLY, paid=6300, refunded=3000, fees=300),
            (3000,),
            False,
            [T_REFUNDED],
            3300,
            False,
            id="partly refunded, the last ticket -> rest and fees",
        ),
        pytest.param(
            _order(PAID, paid=5000, refunded=4000, fees=300),
            (3000,),
            True,
            [T_REFUNDED],
            1000,
            False,
            id="owed is capped at what was paid and not refunded",
        ),
        pytest.param(
            _order(PAID, paid=5000, refunded=5000),
            (3000,),
            False,
            [T_REFUNDED],
            0,
            True,
            id="all money back already, last ticket -> owes 0, order cancelled",
        ),
        pytest.param(
            _order(PAID, paid=3000),
            (3000, 0),
            True,
            [T_REFUNDED, T_CANCELLED],
            3000,
            False,
            id="a free ticket is cancelled, not refunded",
        ),
        pytest.param(
            _order(PAID, paid=0),
            (0, 0),
            False,
            [T_CANCELLED] * 2,
            0,
            True,
            id="paid free order, every ticket -> cancelled, nothing owed",
        ),
        pytest.param(
            _order(PAID, paid=0),
            (0,),
            True,
            [T_CANCELLED],
            0,
            False,
            id="paid free order, one ticket of two -> order stays",
        ),
        pytest.param(
            _order(PENDING, fees=300),
            (3000, 3000),
            False,
            [T_CANCELLED] * 2,
            0,
            True,
            id="unpaid order, every ticket -> cancelled, nothing owed",
        ),
        pytest.param(
            _order(PENDING, fees=300),
            (3000,),
            True,
            [T_CANCELLED],
            0,
            False,
            id="unpaid order, one ticket of two -> order stays pending",
        ),
        pytest.param(
            _order(RESERVED),
            (3000,),
            False,
            [T_CANCELLED],
            0,
            True,
            id="reservation, its only ticket -> cancelled",
        ),
        pytest.param(
            _order(REFUND_DUE, paid=6000, fees=300),
            (3000,),
            False,
            [T_CANCELLED],
            0,
            True,
            id="refund due is not paid: tickets cancelled, nothing owed here",
        ),
    ],
)
def test_cancellation(
    order: Order,
    prices: tuple[int, ...],
    live_after: bool,
    statuses: list[str],
    owed: int,
    order_cancelled: bool,
) -> None:
    assert cancellation(order, _tickets(*prices), live_after=live_after) == (
        statuses,
        owed,
        order_cancelled,
    )


# --- select_tickets: which tickets a cancellation may name -------------------------------

STATES = (
    TicketStatus.VALID,
    TicketStatus.PENDING,
    TicketStatus.CANCELLED,
    TicketStatus.REFUNDED,
    TicketStatus.EXCHANGED,
)
TICKETS = [
    Ticket(id=uuid.UUID(int=i + 1), status=s, price_cents=1000) for i, s in enumerate(STATES)
]
UNKNOWN = uuid.UUID(int=99)


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        pytest.param(None, [1, 2], id="none named -> every live ticket (valid, pending)"),
        pytest.param([1], [1], id="a valid ticket -> chosen"),
        pytest.param([2], [2], id="a pending ticket -> chosen"),
        pytest.param([2, 1], [2, 1], id="chosen in the order named"),
        pytest.param([3], "This ticket is cancelled already", id="cancelled -> refused"),
        pytest.param([4], "This ticket is refunded already", id="refunded -> refused"),
        pytest.param([5], "This ticket is exchanged already", id="exchanged -> refused"),
        pytest.param([99], "This ticket is not in the order", id="not in the order -> refused"),
        pytest.param([1, 3], "This ticket is cancelled already", id="one bad of two -> refused"),
        pytest.param([], Conflict, id="an empty list -> nothing to cancel"),
    ],
)
def test_select_tickets(wanted: list[int] | None, chosen: list[int] | str | type) -> None:
    ids = None if wanted is None else [uuid.UUID(int=i) for i in wanted]
    if isinstance(chosen, list):
        assert [t.id.int for t in select_tickets(TICKETS, ids)] == chosen
    elif isinstance(chosen, str):
        with pytest.raises(InvalidInput, match=chosen):
            select_tickets(TICKETS, ids)
    else:
        with pytest.raises(chosen):
            select_tickets(TICKETS, ids)


@pytest.mark.parametrize(
    "statuses",
    [
        pytest.param((TicketStatus.CANCELLED, TicketStatus.REFUNDED), id="none live"),
        pytest.param((), id="no tickets at all"),
    ],
)
def test_select_tickets_with_nothing_left(statuses: tuple[str, ...]) -> None:
    tickets = [Ticket(id=uuid.uuid4(), status=s, price_cents=0) for s in statuses]
    with pytest.raises(Conflict, match="nothing left to cancel"):
        select_tickets(tickets, None)


# --- paying: which orders may be paid, and until when ------------------------------------


@pytest.mark.parametrize(
    ("status", "pay_before", "refusal"),
    [
        pytest.param(RESERVED, NOW + TICK, None, id="reservation, deadline ahead -> payable"),
        pytest.param(RESERVED, None, None, id="reservation without a deadline -> payable"),
        pytest.param(RESERVED, NOW, "has expired", id="reservation, deadline now -> expired"),
        pytest.param(
            RESERVED, NOW - timedelta(days=1), "has expired", id="reservation a day late -> expired"
        ),
        pytest.param(PENDING, NOW + TICK, "only a reservation", id="pending online -> refused"),
        pytest.param(PAID, None, "This order is paid", id="paid already -> refused"),
        pytest.param(CANCELLED, None, "only a reservation", id="cancelled -> refused"),
        pytest.param(EXPIRED, None, "only a reservation", id="expired -> refused"),
    ],
)
def test_reservation_payable_at_the_counter(
    status: str, pay_before: datetime | None, refusal: str | None
) -> None:
    order = _order(status, pay_before=pay_before)
    if refusal is None:
        check_reservation_payable(order, NOW)
    else:
        with pytest.raises(Conflict, match=refusal):
            check_reservation_payable(order, NOW)


@pytest.mark.parametrize(
    ("status", "pay_before", "refusal"),
    [
        pytest.param(PENDING, NOW + TICK, None, id="pending, time left -> payable"),
        pytest.param(PENDING, None, None, id="pending without a deadline -> payable"),
        pytest.param(PENDING, NOW, "time to pay", id="pending, deadline now -> too late"),
        pytest.param(PENDING, NOW - TICK, "time to pay", id="pending, a moment late -> too late"),
        pytest.param(RESERVED, NOW + TICK, "nothing to pay", id="reservation online -> refused"),
        pytest.param(PAID, None, "This order is paid", id="paid already -> nothing to pay"),
        pytest.param(REFUND_DUE, None, "nothing to pay", id="refund due -> nothing to pay"),
        pytest.param(EXPIRED, None, "nothing to pay", id="expired -> nothing to pay"),
    ],
)
def test_payable_online(status: str, pay_before: datetime | None, refusal: str | None) -> None:
    order = _order(status, pay_before=pay_before)
    if refusal is None:
        check_payable_online(order, NOW)
    else:
        with pytest.raises(Conflict, match=refusal):
            check_payable_online(order, NOW)


FIRST_START = NOW + timedelta(days=3)


@pytest.mark.parametrize(
    ("until", "allowed"),
    [
        pytest.param(NOW + timedelta(days=1), True, id="tomorrow, show in three days -> fine"),
        pytest.param(NOW + TICK, True, id="a moment from now -> fine"),
        pytest.param(FIRST_START, True, id="exactly the start of the show -> fine"),
        pytest.param(NOW, False, id="now -> refused"),
        pytest.param(NOW - timedelta(hours=1), False, id="an hour ago -> refused"),
        pytest.param(FIRST_START + TICK, False, id="a moment after the start -> refused"),
    ],
)
def test_reservation_deadline(until: datetime, allowed: bool) -> None:
    if allowed:
        check_reserve_until(NOW, until, FIRST_START)
    else:
        with pytest.raises(InvalidInput, match="between now and the start") as raised:
            check_reserve_until(NOW, until, FIRST_START)
        assert [e.field for e in raised.value.errors] == ["reserve_until"]


# --- baskets: which may still take places or become an order -----------------------------


@pytest.fixture
def frozen_clock() -> Iterator[None]:
    clock.set_clock(lambda: NOW)
    yield
    clock.set_clock(None)


@pytest.mark.parametrize(
    ("status", "expires_at", "refusal"),
    [
        pytest.param(HoldStatus.ACTIVE, NOW + TICK, None, id="active, time left -> usable"),
        pytest.param(HoldStatus.ACTIVE, NOW, HoldExpired, id="active, expiring now -> expired"),
        pytest.param(
            HoldStatus.ACTIVE, NOW - timedelta(minutes=1), HoldExpired, id="active, late -> expired"
        ),
        pytest.param(
            HoldStatus.ORDERED, NOW + TICK, "has become an order", id="ordered -> start a new one"
        ),
        pytest.param(HoldStatus.RELEASED, NOW + TICK, "was emptied", id="released -> emptied"),
        pytest.param(
            HoldStatus.CLOSED, NOW + TICK, HoldExpired, id="closed by a cancellation -> expired"
        ),
        pytest.param(HoldStatus.EXPIRED, NOW + TICK, HoldExpired, id="expired status -> expired"),
    ],
)
@pytest.mark.usefixtures("frozen_clock")
def test_basket_states(
    status: str, expires_at: datetime, refusal: str | type[Exception] | None
) -> None:
    hold = Hold(status=status, expires_at=expires_at)
    if refusal is None:
        require_active(hold)
    elif isinstance(refusal, str):
        with pytest.raises(Conflict, match=refusal) as raised:
            require_active(hold)
        assert type(raised.value) is Conflict
    else:
        with pytest.raises(refusal):
            require_active(hold)
