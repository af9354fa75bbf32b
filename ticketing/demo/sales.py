"""DEMO DATA: the last days of sales, so the reports and the ledger have something to show.

For each of the last five days (Europe/Brussels), the clock is set to that afternoon and
every demo house with staff sells through the same services as its API: the clerk opens
a till, sells at the counter (cash and card terminal) places of the house's own
performances and of a neighbour's in the cluster, a buyer pays online, the till is
counted and closed; two days ago a ticket went back with its money. Online payments are
recorded as the Stripe webhook records them (payment, then the order marked paid), since
the demo has no Stripe account to call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import DomainError
from ticketing.db import raw
from ticketing.events.models import Performance, PerformanceStatus
from ticketing.inventory import holds
from ticketing.inventory.schemas import BestRequest, BoxOfficeHoldIn, HoldItemsIn, StandingRequest
from ticketing.orders import box_office, lifecycle, shop
from ticketing.orders import repository as orders_repo
from ticketing.orders.books import book_payment
from ticketing.orders.models import Payment, PaymentMethod, PaymentStatus
from ticketing.orders.schemas import (
    BoxOfficeOrderIn,
    CancelIn,
    CustomerIn,
    OrderIn,
    PaymentIn,
    TillCloseIn,
    TillOpenIn,
)
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.models import House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role

DAYS = 5
BUYERS = ("Lotte De Smet", "Jan Peeters", "Sofie Claes", "Wim Maes", "An Jacobs", "Koen Wouters")


@contextmanager
def _on(day: datetime) -> Iterator[None]:
    clock.set_clock(lambda: day)
    try:
        yield
    finally:
        clock.set_clock(None)


def _clerk(house: House, user_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=user_id,
        email=None,
        house_roles={house.id: frozenset({Role.BOX_OFFICE})},
        house_cluster={house.id: house.cluster_id},
    )


def _items(performance_id: uuid.UUID, quantity: int, standing: bool) -> HoldItemsIn:
    if standing:
        return HoldItemsIn(
            performance_id=performance_id,
            standing=[StandingRequest(area="FLOOR", quantity=quantity)],
        )
    return HoldItemsIn(performance_id=performance_id, best=BestRequest(quantity=quantity))


async def _counter_sale(
    session: AsyncSession,
    clerk: Principal,
    house: House,
    performance: Performance,
    standing: bool,
    quantity: int,
    method: str,
    buyer: str,
) -> uuid.UUID | None:
    """A sale at the house's counter; None when the places are not there."""
    try:
        async with raw.savepoint(session):
            items = _items(performance.id, quantity, standing)
            hold, _ = await holds.create_box_office_hold(
                session, clerk, BoxOfficeHoldIn(house_id=house.id, **items.model_dump())
            )
            done = await box_office.sell(
                session,
                clerk,
                BoxOfficeOrderIn(
                    hold_id=hold.id,
                    customer=CustomerIn(name=buyer),
                    payment=PaymentIn(method=method),
                    by_phone=method == "card_terminal" and quantity == 1,
                ),
            )
    except DomainError:
        return None
    return done.order.id


async def _online_sale(
    session: AsyncSession, performance: Performance, standing: bool, quantity: int, buyer: str
) -> None:
    try:
        async with raw.savepoint(session):
            hold, _ = await holds.create_online_hold(
                session, _items(performance.id, quantity, standing)
            )
            email = buyer.lower().replace(" ", ".") + "@example.test"
            done = await shop.check_out_basket(
                session,
                OrderIn(hold_id=hold.id, customer=CustomerIn(name=buyer, email=email)),
            )
            order = done.order
            payment = Payment(
                house_id=order.house_id,
                cluster_id=order.cluster_id,
                order_id=order.id,
                method=PaymentMethod.ONLINE,
                status=PaymentStatus.SUCCEEDED,
                amount_cents=order.total_cents,
            )
            session.add(payment)
            order.paid_cents += payment.amount_cents
            book_payment(session, order, payment)
            await lifecycle.mark_paid(session, order, actor="stripe", method=PaymentMethod.ONLINE)
            session.add(order)
            await session.flush()
    except DomainError:
        return


async def _standing(session: AsyncSession, performance: Performance) -> bool:
    layout = await session.get(SeatMapLayout, performance.layout_id)
    return layout is not None and layout.seat_count == 0


async def seed_sales(
    session: AsyncSession, cluster_id: uuid.UUID, clerks: dict[str, uuid.UUID]
) -> int:
    """The last days' sales of one demo cluster (clerks: house slug -> box-office user);
    returns the number of orders."""
    houses = list(
        (
            await session.exec(
                select(House).where(House.cluster_id == cluster_id).order_by(col(House.slug))
            )
        ).all()
    )
    shows: dict[uuid.UUID, list[Performance]] = {}
    for performance in (
        await session.exec(
            select(Performance)
            .where(
                Performance.cluster_id == cluster_id,
                Performance.status == PerformanceStatus.ON_SALE,
            )
            .order_by(col(Performance.starts_at))
        )
    ).all():
        shows.setdefault(performance.house_id, []).append(performance)
    playing = [h for h in houses if shows.get(h.id)]
    sellers = [h for h in houses if h.slug in clerks]
    if not playing or not sellers:
        return 0
    today = clock.local(clock.now()).date()
    count = 0
    refund_from: tuple[Principal, uuid.UUID] | None = None
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        for n, house in enumerate(sellers):
            clerk = _clerk(house, clerks[house.slug])
            neighbour = playing[(n + back) % len(playing)]
            own = shows.get(house.id) or shows[neighbour.id]
            moment = datetime.combine(day, time(13, 30 + n), tzinfo=clock.BRUSSELS)
            with _on(moment):
                till = await box_office.open_till(
                    session, clerk, TillOpenIn(house_id=house.id, float_cents=15000)
                )
            sales = (
                (own[back % len(own)], 2, "cash"),
                (own[(back + 1) % len(own)], 1, "card_terminal"),
                (shows[neighbour.id][back % len(shows[neighbour.id])], 3, "card_terminal"),
            )
            for i, (performance, quantity, method) in enumerate(sales):
                with _on(moment + timedelta(minutes=40 * (i + 1))):
                    order_id = await _counter_sale(
                        session,
                        clerk,
                        house,
                        performance,
                        await _standing(session, performance),
                        quantity,
                        method,
                        BUYERS[(i + back + n) % len(BUYERS)],
                    )
                if order_id is not None:
                    count += 1
                    if back == 2 and i == 0 and refund_from is None:
                        refund_from = (clerk, order_id)
            with _on(moment + timedelta(hours=2, minutes=50)):
                if refund_from is not None and back == 2:
                    # A buyer who cannot come brings one ticket back: cash back at the counter.
                    who, order_id = refund_from
                    order = await box_office.staff_order(session, who, order_id)
                    tickets = await orders_repo.tickets_of(session, [order.id])
                    await box_office.cancel(
                        session,
                        who,
                        order_id,
                        CancelIn(ticket_ids=[tickets[0].id], reason="ziek", refund_method="cash"),
                    )
                    refund_from = None
            with _on(moment + timedelta(hours=3)):
                report = await box_office.till_report(session, till)
                await box_office.close_till(
                    session,
                    clerk,
                    till.id,
                    # One day the count is a euro short.
                    TillCloseIn(
                        counted_cash_cents=report["expected_cash_cents"] - 100 * (back == 3)
                    ),
                )
            performance = shows[playing[(n + back + 1) % len(playing)].id][0]
            with _on(moment + timedelta(hours=6)):
                await _online_sale(
                    session,
                    performance,
                    await _standing(session, performance),
                    1 + (back + n) % 3,
                    BUYERS[(back + n + 3) % len(BUYERS)],
                )
                count += 1
    return count
