"""From a basket to an order: price every place at its tariff, attribute every ticket to
the house of its performance, and keep the places held until the order is paid."""

from __future__ import annotations

import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, FieldError, InvalidInput
from ticketing.core.keyring import keyring
from ticketing.core.security import sha256_hex
from ticketing.customers import service as customers
from ticketing.db import raw
from ticketing.events.models import PriceRule
from ticketing.events.pricing import tariff_price
from ticketing.inventory import changes
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.models import Channel, Hold, HoldStatus
from ticketing.inventory.repository import HeldPlace
from ticketing.inventory.service import check_sellable, require_open
from ticketing.orders import repository as repo
from ticketing.orders.buyers import remember_buyer
from ticketing.orders.models import Order, OrderStatus, Ticket, TicketStatus
from ticketing.orders.repository import PriceTariff, Pricing
from ticketing.orders.schemas import LineIn, OrderIn
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import SELLERS

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone


def new_code(prefix: str) -> str:
    return prefix + "-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))


def record(
    session: AsyncSession, order: Order, kind: str, actor: str | None, **data: object
) -> None:
    """Add to the order's history (written with the request's next statement)."""
    repo.insert_event(session, order.id, clock.now(), kind, actor, dict(data))


@dataclass(frozen=True)
class PricedLine:
    index: int
    item: HeldPlace
    tariff: PriceTariff
    quantity: int
    price_cents: int
    # VAT included in the price (basis points): the tariff's, 0 for an exempt house.
    vat_rate_bp: int = 600


def ticket_for(line: PricedLine, order_id: uuid.UUID, status: str) -> Ticket:
    """One admission for a priced place, attributed to the house of its performance."""
    return raw.build(
        Ticket,
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
        vat_rate_bp=line.vat_rate_bp,
        requires_check=line.tariff.requires_check,
        status=status,
    )


def _lines(items: list[HeldPlace], lines: list[LineIn]) -> list[tuple[int, HeldPlace, str, int]]:
    """Every place of the basket with its tariff; places without a line sell at BASE."""
    by_id = {a.id: a for a in items}
    covered: Counter[uuid.UUID] = Counter()
    out: list[tuple[int, HeldPlace, str, int]] = []
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


def price_lines(
    items: list[HeldPlace],
    lines: list[LineIn],
    channel: str,
    pricing: Pricing,
    seller: Principal | None = None,
    counter: uuid.UUID | None = None,
) -> list[PricedLine]:
    """Price every place at its tariff (pricing as read with the basket). A staff-only
    tariff (a complimentary ticket) is the performance's own house's to give: only at
    that house's counter (counter, the basket's house) by someone who sells for it
    (seller), not at its neighbours' counters."""
    wanted = _lines(items, lines)
    per_tariff: Counter[uuid.UUID] = Counter()
    priced: list[PricedLine] = []
    errors: list[FieldError] = []
    for index, item, code, quantity in wanted:
        field = f"lines[{index}].tariff" if index >= 0 else "lines"
        performance = pricing.performances[item.performance_id]
        tariff = performance.tariffs.get(code)
        if tariff is None:
            errors.append(FieldError(field, f"There is no tariff {code} for this event."))
            continue
        if tariff.staff_only and channel == Channel.ONLINE:
            errors.append(FieldError(field, f"Tariff {code} is only sold at the box office."))
            continue
        giver = seller if counter == item.house_id else None
        if tariff.staff_only and (giver is None or not giver.has(item.house_id, SELLERS)):
            errors.append(
                FieldError(
                    field,
                    f"Tariff {code} is for staff of the house that plays this performance;"
                    " only its own box office can give it.",
                )
            )
            continue
        if tariff.rule == PriceRule.UITPAS:
            errors.append(
                FieldError(
                    field, "The UiTPAS social tariff needs a UiTPAS check; it cannot be sold yet."
                )
            )
            continue
        zone_price = performance.zone_prices.get(item.zone_code)
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
        rate = 0 if performance.vat_exempt else tariff.vat_rate_bp
        priced.append(PricedLine(index, item, tariff, quantity, amount, rate))
    if errors:
        raise InvalidInput(errors[0].message, errors=errors)
    return priced


def order_amounts(priced: list[PricedLine], channel: str, online_fee_cents: int) -> tuple[int, int]:
    """What the tickets cost and the fees on top (cents): the house's online fee per
    ticket, online only, and none on an order that costs nothing."""
    count = sum(p.quantity for p in priced)
    tickets_cents = sum(p.price_cents * p.quantity for p in priced)
    fees_cents = online_fee_cents * count if channel == Channel.ONLINE and tickets_cents else 0
    return tickets_cents, fees_cents


CODE_ATTEMPTS = 8


async def _insert_with_code(session: AsyncSession, order: Order, prefix: str) -> None:
    """Store the order under a free code of its house: its own code first, then new
    draws (a taken code is simply skipped by the unique index: no savepoint, no error)."""
    for attempt in range(CODE_ATTEMPTS):
        if attempt:
            order.code = new_code(prefix)
        if await repo.insert_order(session, order):
            return
    raise Conflict("Could not give the order a free code; please try again.")


@dataclass(frozen=True)
class CheckedOut:
    order: Order
    tickets: list[Ticket]
    secret: str
    # The earliest performance of the order (a reservation's deadline lies before it).
    first_start: datetime
    # Each performance's day in Europe/Brussels (the ledger's performance date).
    days: dict[uuid.UUID, date]


async def checkout(
    session: AsyncSession,
    hold: Hold,
    data: OrderIn,
    *,
    channel: str,
    actor: str | None,
    created_by_id: uuid.UUID | None = None,
    seller: Principal | None = None,
    paid: bool = False,
    by_phone: bool = False,
) -> CheckedOut:
    """Create the order for everything in the basket, with its tickets and the buyer's
    secret. The order waits for its payment (pending), or with paid=True (money taken at
    the counter right now) its places are sold as it is stored, paid in full; the
    caller records the payment. seller: the clerk at the counter."""
    await require_open(session, hold)
    items, pricing = await repo.basket(session, hold.id, hold.house_id)
    if pricing is None:
        raise InvalidInput.field("hold_id", "The basket is empty.")
    now = clock.now()
    # The places were taken under the sale rules; they hold at the moment of sale too (a
    # performance cancelled or taken off sale since, a sales window closed since).
    for performance in pricing.performances.values():
        check_sellable(performance.sale, channel, now, held=True)
    buyer = data.customer
    online = channel == Channel.ONLINE
    if online and buyer.name is None:
        raise InvalidInput.field("customer.name", "We need your name for the tickets.")
    if online and buyer.email is None:
        raise InvalidInput.field("customer.email", "We need an e-mail address to send the tickets.")
    priced = price_lines(items, data.lines, channel, pricing, seller, hold.house_id)
    prefix = pricing.order_code_prefix
    tickets_cents, fees_cents = order_amounts(priced, channel, pricing.online_fee_cents)
    order_id = uuid.uuid4()
    secret = keyring().order_secret(order_id)
    order = raw.build(
        Order,
        id=order_id,
        created_at=now,
        updated_at=now,
        house_id=hold.house_id,
        cluster_id=hold.cluster_id,
        code=new_code(prefix),
        channel=channel,
        by_phone=by_phone,
        status=OrderStatus.PAID if paid else OrderStatus.PENDING,
        customer_name=buyer.name or customers.ANONYMOUS,
        customer_email=buyer.email,
        customer_phone=buyer.phone,
        language=buyer.language or "nl",
        language_given=buyer.language is not None,
        # Online both questions are asked every time: left out is a no.
        share_in_cluster=bool(buyer.share_in_cluster) if online else buyer.share_in_cluster,
        newsletter=bool(buyer.newsletter) if online else buyer.newsletter,
        hold_id=hold.id,
        tickets_cents=tickets_cents,
        fees_cents=fees_cents,
        fees_vat_rate_bp=pricing.fee_vat_rate_bp,
        total_cents=tickets_cents + fees_cents,
        paid_cents=tickets_cents + fees_cents if paid else 0,
        refunded_cents=0,
        pay_before=None if paid else hold.expires_at,
        created_by_id=created_by_id,
        needs_attention=False,
        secret_hash=sha256_hex(secret),
    )
    if paid:
        # Places sold and order stored in one round trip; a lost place undoes both.
        wanted = [item.id for item in items]
        sold, stored = await repo.sell_and_insert_order(session, wanted, order)
        if sold != set(wanted):
            raise Conflict("Some places of this order are no longer available.")
        if not stored:
            order.code = new_code(prefix)
            await _insert_with_code(session, order, prefix)
    else:
        await _insert_with_code(session, order, prefix)
    if paid:
        # Sold: the buyer becomes the cluster's customer now (an unpaid order waits for its
        # payment, lifecycle.mark_paid). Before anything is deferred, so the deferred
        # writes still go out as one batch.
        await remember_buyer(session, order)
    tickets = [
        ticket_for(p, order.id, TicketStatus.VALID if paid else TicketStatus.PENDING)
        for p in priced
        for _ in range(p.quantity)
    ]
    repo.insert_tickets(session, tickets, now)
    if not paid:
        # An unpaid order and its tickets change when it is paid (or lost) later in the
        # request: the session writes those changes. A sold order is final: it and its
        # tickets stay out of the session (plain SQL records what follows). The deferred
        # tickets are sent first: the session's updates of them need the rows.
        await raw.send_deferred(session)
        order = await raw.attach(session, order)
        tickets = [await raw.attach(session, t) for t in tickets]
    inventory_repo.set_hold_status(session, hold, HoldStatus.ORDERED)
    # The consent choices given with this order, in its history (None: not asked; the
    # customer holds the current ones once the order is paid).
    consent: dict[str, object] = {}
    if order.customer_email is not None:
        consent = {"share_in_cluster": order.share_in_cluster, "newsletter": order.newsletter}
    await changes.places_changed(session, pricing.performances)
    record(
        session,
        order,
        "created",
        actor,
        channel=channel,
        tickets=len(tickets),
        total_cents=order.total_cents,
        pay_before=hold.expires_at.isoformat(),
        **consent,
    )
    return CheckedOut(
        order,
        tickets,
        secret,
        min(p.starts_at for p in pricing.performances.values()),
        {pid: clock.local(p.starts_at).date() for pid, p in pricing.performances.items()},
    )
