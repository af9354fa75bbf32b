"""From a basket to an order: price every place at its tariff, attribute every ticket to
the house of its performance, and keep the places held until the order is paid."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import Conflict, FieldError, InvalidInput
from ticketing.core.security import sha256_hex
from ticketing.events.models import PriceRule, Tariff
from ticketing.events.pricing import tariff_price
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.models import Allocation, Channel, Hold, HoldStatus
from ticketing.inventory.service import require_active
from ticketing.orders import repository as repo
from ticketing.orders.models import Order, OrderEvent, OrderStatus, Ticket, TicketStatus
from ticketing.orders.schemas import LineIn, OrderIn
from ticketing.tenancy.models import House

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone


def new_code(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


def record(
    session: AsyncSession, order: Order, kind: str, actor: str | None, **data: object
) -> None:
    session.add(OrderEvent(order_id=order.id, kind=kind, actor=actor, data=dict(data)))


@dataclass(frozen=True)
class PricedLine:
    index: int
    item: Allocation
    tariff: Tariff
    quantity: int
    price_cents: int


def ticket_for(line: PricedLine, order_id: uuid.UUID, status: str) -> Ticket:
    """One admission for a priced place, attributed to the house of its performance."""
    return Ticket(
        house_id=line.item.house_id,
        cluster_id=line.item.cluster_id,
        order_id=order_id,
        performance_id=line.item.performance_id,
        allocation_id=line.item.id,
        seat_key=line.item.seat_key,
        area_code=line.item.area_code,
        zone_code=line.item.zone_code,
        tariff_id=line.tariff.id,
        tariff_code=line.tariff.code,
        price_cents=line.price_cents,
        requires_check=line.tariff.requires_check,
        status=status,
    )


def _lines(items: list[Allocation], lines: list[LineIn]) -> list[tuple[int, Allocation, str, int]]:
    """Every place of the basket with its tariff; places without a line sell at BASE."""
    by_id = {a.id: a for a in items}
    covered: Counter[uuid.UUID] = Counter()
    out: list[tuple[int, Allocation, str, int]] = []
    errors: list[FieldError] = []
    for i, line in enumerate(lines):
        item = by_id.get(line.item_id)
        if item is None:
            errors.append(FieldError(f"lines[{i}].item_id", "This place is not in the basket."))
            continue
        covered[item.id] += line.quantity
        out.append((i, item, line.tariff, line.quantity))
    for item in items:
        rest = item.quantity - covered[item.id]
        if rest < 0:
            errors.append(
                FieldError(
                    "lines", f"More tickets than places for {item.seat_key or item.area_code}."
                )
            )
        elif rest > 0:
            out.append((-1, item, "BASE", rest))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    return out


async def price_lines(
    session: AsyncSession, items: list[Allocation], lines: list[LineIn], channel: str
) -> list[PricedLine]:
    wanted = _lines(items, lines)
    performances = await repo.performances(session, {a.performance_id for a in items})
    tariffs = await repo.tariffs_for_events(session, {p.event_id for p in performances.values()})
    prices = await repo.zone_prices(session, set(performances))
    per_tariff: Counter[uuid.UUID] = Counter()
    priced: list[PricedLine] = []
    errors: list[FieldError] = []
    for index, item, code, quantity in wanted:
        field = f"lines[{index}].tariff" if index >= 0 else "lines"
        performance = performances[item.performance_id]
        tariff = tariffs.get((performance.event_id, code))
        if tariff is None:
            errors.append(FieldError(field, f"There is no tariff {code} for this event."))
            continue
        if tariff.staff_only and channel == Channel.ONLINE:
            errors.append(FieldError(field, f"Tariff {code} is only sold at the box office."))
            continue
        if tariff.rule == PriceRule.UITPAS:
            errors.append(
                FieldError(
                    field, "The UiTPAS social tariff needs a UiTPAS check; it cannot be sold yet."
                )
            )
            continue
        zone_price = prices.get((performance.id, item.zone_code))
        if zone_price is None:
            raise Conflict(f"Zone {item.zone_code} has no price for this performance.")
        amount = tariff_price(zone_price, tariff.rule, tariff.value)
        assert amount is not None
        per_tariff[tariff.id] += quantity
        if tariff.max_per_order is not None and per_tariff[tariff.id] > tariff.max_per_order:
            errors.append(
                FieldError(
                    field, f"At most {tariff.max_per_order} tickets at tariff {code} per order."
                )
            )
            continue
        priced.append(PricedLine(index, item, tariff, quantity, amount))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    return priced


async def _insert_with_code(session: AsyncSession, order: Order, prefix: str) -> None:
    for _ in range(8):
        order.code = new_code(prefix)
        try:
            async with session.begin_nested():
                session.add(order)
                await session.flush()
            return
        except IntegrityError:
            session.expunge(order)
    raise Conflict("Could not give the order a free code; please try again.")


async def checkout(
    session: AsyncSession,
    hold: Hold,
    data: OrderIn,
    *,
    channel: str,
    actor: str | None,
    created_by_id: uuid.UUID | None = None,
) -> tuple[Order, list[Ticket], str]:
    """Create the order (pending) for everything in the basket; returns it with its tickets
    and the buyer's secret."""
    require_active(hold)
    items = await inventory_repo.hold_items(session, hold.id)
    if not items:
        raise InvalidInput.field("hold_id", "The basket is empty.")
    if channel == Channel.ONLINE and data.customer.email is None:
        raise InvalidInput.field("customer.email", "We need an e-mail address to send the tickets.")
    priced = await price_lines(session, items, data.lines, channel)
    house = await session.get(House, hold.house_id)
    assert house is not None
    count = sum(p.quantity for p in priced)
    tickets_cents = sum(p.price_cents * p.quantity for p in priced)
    fees_cents = (
        house.online_fee_cents * count if channel == Channel.ONLINE and tickets_cents else 0
    )
    secret = secrets.token_urlsafe(24)
    order = Order(
        house_id=hold.house_id,
        cluster_id=hold.cluster_id,
        code="",
        channel=channel,
        status=OrderStatus.PENDING,
        customer_name=data.customer.name,
        customer_email=data.customer.email,
        customer_phone=data.customer.phone,
        language=data.customer.language,
        hold_id=hold.id,
        tickets_cents=tickets_cents,
        fees_cents=fees_cents,
        total_cents=tickets_cents + fees_cents,
        pay_before=hold.expires_at,
        created_by_id=created_by_id,
        secret_hash=sha256_hex(secret),
    )
    await _insert_with_code(session, order, house.order_code_prefix)
    tickets = [
        ticket_for(p, order.id, TicketStatus.PENDING) for p in priced for _ in range(p.quantity)
    ]
    session.add_all(tickets)
    hold.status = HoldStatus.ORDERED
    session.add(hold)
    record(
        session,
        order,
        "created",
        actor,
        channel=channel,
        tickets=len(tickets),
        total_cents=order.total_cents,
        pay_before=hold.expires_at.isoformat(),
    )
    await session.flush()
    return order, tickets, secret
