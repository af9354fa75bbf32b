"""Online payment of an order whose performance was cancelled after checkout: no payment
can be started, and one that was started and still succeeds sells nothing: the order
becomes refund_due and the money goes back through Stripe."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import stripe
from fixtures.stripe_support import Deliveries
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from sqlmodel import select
from test_stripe import buyer_pays, deliver, pending_order

from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.orders.models import Payment, Refund
from ticketing.payments import stripe_flow
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role


async def cancel(client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]) -> None:
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"status": "cancelled"},
        ),
        200,
    )


def stripe_client(settings: Settings) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_podium", base_addresses={"api": settings.stripe.api_base})


async def buyers_view(client: httpx.AsyncClient, order: dict[str, Any]) -> dict[str, Any]:
    return await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}),
        200,
    )


async def test_no_payment_starts_for_a_cancelled_performance(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, seats=["STALLS/2/2"])
    await cancel(client, tenant, performance)
    refused = await client.post(
        f"/public/orders/{order['id']}/payment", params={"secret": order["secret"]}
    )
    body = assert_problem(refused, 409)
    assert body["type"] == "https://podium.example/problems/sale-closed"
    assert "Te koop" in body["detail"]
    assert "cancelled" in body["detail"]
    async with sessionmaker() as session:
        started = (
            await session.exec(select(Payment).where(Payment.order_id == uuid.UUID(order["id"])))
        ).all()
    assert started == []  # no PaymentIntent was made: nothing the buyer could pay


async def test_a_payment_that_succeeds_after_the_cancellation_is_refunded(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    stripe_settings: Settings,
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, seats=["STALLS/2/3", "STALLS/2/4"])
    start = await ok(
        await client.post(
            f"/public/orders/{order['id']}/payment", params={"secret": order["secret"]}
        ),
        200,
    )
    # The payment page is open when the house cancels; the buyer pays all the same.
    await cancel(client, tenant, performance)
    status = await asyncio.to_thread(buyer_pays, stripe_settings, start["payment_intent_id"])
    assert status == "succeeded"
    body, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    assert (await deliver(client, body, signature)).status_code == 200

    # The worker takes the webhook: nothing is sold, the refund is booked.
    for event_id in await stripe_flow.unprocessed_events(sessionmaker):
        await stripe_flow.process_event(sessionmaker, event_id, stripe_flow.worker_gateway)
    due = await buyers_view(client, order)
    assert due["status"] == "refund_due"
    assert due["needs_attention"] is True
    assert due["paid_cents"] == due["refunded_cents"] == 6000
    assert {t["status"] for t in due["tickets"]} == {"cancelled"}
    history = await ok(
        await client.get(
            f"/orders/{order['id']}/history", headers=tenant.staff[Role.BOX_OFFICE].headers
        ),
        200,
    )
    closed = [e for e in history if e["kind"] == "sale_closed"]
    assert len(closed) == 1
    assert "cancelled" in closed[0]["data"]["reason"]
    availability = await ok(
        await client.get(
            f"/performances/{performance['id']}/availability",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
        ),
        200,
    )
    assert availability["sold"] == []
    assert availability["held"] == []

    # Then the outbox carries the refund out at Stripe.
    for message_id in await outbox.due(sessionmaker):
        await outbox.process(sessionmaker, message_id)
    refunded = await buyers_view(client, order)
    assert refunded["status"] == "refunded"
    assert refunded["needs_attention"] is False
    async with sessionmaker() as session:
        refunds = (
            await session.exec(select(Refund).where(Refund.order_id == uuid.UUID(order["id"])))
        ).all()
    assert [(r.status, r.amount_cents) for r in refunds] == [("succeeded", 6000)]
    assert refunds[0].stripe_refund_id is not None
    # Stripe holds the refund, of the whole payment.
    stripe_refund = await asyncio.to_thread(
        stripe_client(stripe_settings).v1.refunds.retrieve, refunds[0].stripe_refund_id
    )
    assert stripe_refund.amount == 6000
    assert stripe_refund.payment_intent == start["payment_intent_id"]
