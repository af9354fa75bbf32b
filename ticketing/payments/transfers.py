"""Stripe Connect "separate charges and transfers".

In a cluster with `stripe_transfers` on, an online order is paid on the platform's Stripe
account (a PaymentIntent with `transfer_group` = the order code, no Stripe-Account) and
marked `split_by_transfers`, so the ledger books each house's revenue as held by that
house. Once the payment succeeded, in the same transaction, one StripeTransfer row is
planned per owner house of the order's valid tickets (its tickets' prices, plus the
order's fees for the selling house) and an outbox message (`payments.transfers`) sends
them: `POST /v1/transfers` to the house's connected account, idempotency key
`transfer-{order_id}-{house_id}`, tied to the charge (`source_transaction`). A row sent
is never sent again, so a redelivered message sends nothing twice. A house without a
connected account, or a transfer Stripe refuses, stays open (status failed, with why in
last_error; GET /clusters/{id}/transfers?status=failed) and is tried again later.

A refund of such an order (`payments.transfer_reversals`, queued when Stripe carried the
refund out) takes back from each house only its share of it: the refund's tickets' prices
from their houses' transfers, the rest (the fees) from the selling house's, with
`POST /v1/transfers/{id}/reversals`, idempotency key `reversal-{refund_id}-{transfer_id}`.
Each transfer and reversal is booked in the ledger (kinds transfer, transfer_reversal;
the owner is the receiving house).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import outbox
from ticketing.money import ledger
from ticketing.money.models import EntryKind, SalesChannel
from ticketing.money.settlement import settling_cluster
from ticketing.orders import repository as orders_repo
from ticketing.orders.models import Order, Payment, Refund, RefundStatus, Ticket, TicketStatus
from ticketing.payments import repository
from ticketing.payments.gateway import GatewayError, StripeGateway
from ticketing.payments.models import StripeTransfer, StripeTransferReversal, TransferStatus
from ticketing.tenancy.principal import Principal

TRANSFER_TOPIC = "payments.transfers"
REVERSAL_TOPIC = "payments.transfer_reversals"
MAX_ATTEMPTS = 10
NO_ACCOUNT = (
    "The house has no connected Stripe account (stripe_account_id); the transfer is "
    "tried again once it has one."
)


def shares_of_sale(order: Order, tickets: list[Ticket]) -> dict[uuid.UUID, int]:
    """What each owner house gets of a paid order: its valid tickets' prices, and the
    order's fees for the selling house."""
    shares: dict[uuid.UUID, int] = defaultdict(int)
    for ticket in tickets:
        if ticket.status == TicketStatus.VALID:
            shares[ticket.house_id] += ticket.price_cents
    if order.fees_cents:
        shares[order.house_id] += order.fees_cents
    return {house: cents for house, cents in shares.items() if cents > 0}


def shares_of_refund(order: Order, refund: Refund, tickets: list[Ticket]) -> dict[uuid.UUID, int]:
    """Which house gives back how much of a refund: the refunded tickets' prices from
    their houses, what is left (the fees) from the selling house; never more in all than
    the refund."""
    shares: dict[uuid.UUID, int] = defaultdict(int)
    left = refund.amount_cents
    for ticket in sorted(tickets, key=lambda t: str(t.id)):
        taken = min(ticket.price_cents, left)
        shares[ticket.house_id] += taken
        left -= taken
    if left > 0:
        shares[order.house_id] += left
    return {house: cents for house, cents in shares.items() if cents > 0}


async def plan(
    session: AsyncSession, order: Order, payment: Payment, charge_id: str | None
) -> list[StripeTransfer]:
    """After the order was paid (same transaction): one transfer row per owner house,
    and the outbox message that sends them after commit."""
    shares = shares_of_sale(order, await orders_repo.tickets_of(session, [order.id]))
    houses = await repository.houses(session, sorted(shares))
    rows = []
    for house_id, cents in sorted(shares.items(), key=lambda item: str(item[0])):
        house = houses.get(house_id)
        rows.append(
            StripeTransfer(
                house_id=house_id,
                cluster_id=order.cluster_id,
                order_id=order.id,
                payment_id=payment.id,
                destination=(house.stripe_account_id if house else None) or "",
                amount_cents=cents,
                transfer_group=order.code,
                status=TransferStatus.PENDING,
            )
        )
    session.add_all(rows)
    await session.flush()
    outbox.put(
        session,
        TRANSFER_TOPIC,
        {"order_id": str(order.id), "charge": charge_id},
        house_id=order.house_id,
    )
    return rows


def _book(
    session: AsyncSession,
    kind: str,
    order: Order,
    transfer: StripeTransfer,
    gross: int,
    reference: str,
    refund_id: uuid.UUID | None = None,
) -> None:
    ledger.book(
        session,
        [
            ledger.entry(
                kind,
                cluster_id=order.cluster_id,
                owner_house_id=transfer.house_id,
                seller_house_id=order.house_id,
                holder_house_id=transfer.house_id,
                channel=SalesChannel.ONLINE,
                gross_cents=gross,
                order_id=order.id,
                payment_id=transfer.payment_id,
                refund_id=refund_id,
                payment_method="online",
                reference=reference,
            )
        ],
    )


async def send(
    session: AsyncSession, gateway: Callable[[], StripeGateway], payload: dict[str, Any]
) -> None:
    """Send the order's transfers not sent yet. One Stripe refuses (or a house without an
    account) stays failed with the reason, and the others go; a later message (after a
    backoff) tries the failed ones again. The gateway is made only when there is
    something to send."""
    order_id = uuid.UUID(payload["order_id"])
    order = await orders_repo.get_order_for_update(session, order_id)
    if order is None:
        return
    rows = await repository.order_transfers(session, order_id, lock=True)
    houses = await repository.houses(session, sorted({r.house_id for r in rows}))
    for row in rows:
        if row.status == TransferStatus.SENT:
            continue  # a redelivery, or a retry after another house failed
        row.attempts += 1
        house = houses.get(row.house_id)
        account = house.stripe_account_id if house is not None else None
        if not account:
            row.status = TransferStatus.FAILED
            row.last_error = NO_ACCOUNT
            session.add(row)
            continue
        row.destination = account
        try:
            row.stripe_transfer_id = await gateway().create_transfer(
                amount=row.amount_cents,
                destination=account,
                transfer_group=row.transfer_group,
                source_transaction=payload.get("charge"),
                metadata={"order_id": str(order.id), "house_id": str(row.house_id)},
                # Per destination: a house that changes its account gets a new transfer.
                idempotency_key=f"transfer-{order.id}-{row.house_id}-{account}",
            )
        except GatewayError as exc:
            row.status = TransferStatus.FAILED
            row.last_error = str(exc)[:2000]
            session.add(row)
            continue
        row.status = TransferStatus.SENT
        row.last_error = None
        session.add(row)
        _book(session, EntryKind.TRANSFER, order, row, row.amount_cents, row.stripe_transfer_id)
    open_rows = [r for r in rows if r.status != TransferStatus.SENT]
    if open_rows and max(r.attempts for r in open_rows) < MAX_ATTEMPTS:
        attempts = max(r.attempts for r in open_rows)
        outbox.put_coalesced(
            session,
            TRANSFER_TOPIC,
            payload,
            f"transfers:{order.id}",
            delay=outbox.backoff(attempts + 2),
            house_id=order.house_id,
        )
    await session.flush()


def queue_reversals(session: AsyncSession, order: Order, refund: Refund) -> None:
    """A refund of an order split by transfers went through: take the houses' shares
    back from their transfers, after commit."""
    if order.split_by_transfers and refund.status == RefundStatus.SUCCEEDED:
        outbox.put(session, REVERSAL_TOPIC, {"refund_id": str(refund.id)}, house_id=order.house_id)


async def reverse(
    session: AsyncSession, gateway: Callable[[], StripeGateway], payload: dict[str, Any]
) -> None:
    """Reverse each house's share of the refund on that house's transfer, once. A
    transfer not sent yet makes the message wait (it fails and is retried)."""
    refund = await repository.get_refund_for_update(session, uuid.UUID(payload["refund_id"]))
    if refund is None:
        return
    order = await orders_repo.get_order_for_update(session, refund.order_id)
    if order is None or not order.split_by_transfers:
        return
    tickets = await repository.tickets_by_id(session, [uuid.UUID(t) for t in refund.ticket_ids])
    shares = shares_of_refund(order, refund, tickets)
    transfers = {
        t.house_id: t for t in await repository.order_transfers(session, order.id, lock=True)
    }
    # Every transfer involved must have gone out before any reversal is asked for: a
    # message that waits then asks Stripe for nothing, so a retry repeats nothing.
    work: list[tuple[StripeTransfer, int]] = []
    for house_id, share in sorted(shares.items(), key=lambda item: str(item[0])):
        transfer = transfers.get(house_id)
        if transfer is None:
            continue  # nothing went to this house
        if await repository.reversal_of(session, refund.id, transfer.id) is not None:
            continue  # reversed already (a redelivery)
        if transfer.status != TransferStatus.SENT or transfer.stripe_transfer_id is None:
            raise RuntimeError(
                f"The transfer to house {house_id} is not sent yet; its reversal waits."
            )
        amount = min(share, transfer.amount_cents - transfer.reversed_cents)
        if amount > 0:
            work.append((transfer, amount))
    for transfer, amount in work:
        assert transfer.stripe_transfer_id is not None
        reversal_id = await gateway().reverse_transfer(
            transfer.stripe_transfer_id,
            amount=amount,
            idempotency_key=f"reversal-{refund.id}-{transfer.id}",
        )
        session.add(
            StripeTransferReversal(
                transfer_id=transfer.id,
                refund_id=refund.id,
                amount_cents=amount,
                status=TransferStatus.SENT,
                stripe_reversal_id=reversal_id,
            )
        )
        transfer.reversed_cents += amount
        session.add(transfer)
        _book(
            session, EntryKind.TRANSFER_REVERSAL, order, transfer, -amount, reversal_id, refund.id
        )
    await session.flush()


async def list_transfers(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    status: str | None,
    limit: int = 100,
) -> list[StripeTransfer]:
    """A cluster's transfers for its admin (status failed: those waiting for a retry)."""
    cluster = await settling_cluster(session, principal, cluster_id)
    return await repository.cluster_transfers(session, cluster.id, status, limit)
