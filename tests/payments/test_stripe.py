"""Online payments end to end against localstripe: order, PaymentIntent, the buyer's
confirmation, the signed webhook, the order paid and its tickets queued; duplicate and
out-of-order deliveries, bad signatures, and refunds bounded by what was paid."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
import stripe
from fixtures.stripe_support import WEBHOOK_SECRET, Deliveries
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from ticketing import clock
from ticketing.core import outbox
from ticketing.db import raw
from ticketing.db.engine import SessionMaker
from ticketing.orders import refunds as order_refunds
from ticketing.orders.models import Order, Payment, Refund
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import StripeGateway
from ticketing.payments.models import InboundEvent
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role

BUYER = {"name": "Lotte De Smet", "email": "lotte@example.test"}


async def pending_order(
    client: httpx.AsyncClient, performance: dict[str, Any], **items: Any
) -> dict[str, Any]:
    hold = await ok(
        await client.post("/public/holds", json={"performance_id": performance["id"], **items})
    )
    return await ok(
        await client.post("/public/orders", json={"hold_id": hold["id"], "customer": BUYER})
    )


def buyer_pays(settings: Settings, intent_id: str) -> str:
    """What Stripe's Payment Element does in the browser: attach a card and confirm."""
    buyer = stripe.StripeClient("sk_test_podium", base_addresses={"api": settings.stripe.api_base})
    card = buyer.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        }  # type: ignore[typeddict-item]
    )
    buyer.v1.payment_intents.update(intent_id, {"payment_method": card.id})
    return str(buyer.v1.payment_intents.confirm(intent_id).status)


async def deliver(client: httpx.AsyncClient, body: bytes, signature: str) -> httpx.Response:
    return await client.post(
        "/webhooks/stripe",
        content=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


async def run_worker(sessionmaker: SessionMaker) -> None:
    """What the Celery workers do after commit: handle the inbox, then the outbox."""
    for event_id in await stripe_flow.unprocessed_events(sessionmaker):
        await stripe_flow.process_event(sessionmaker, event_id, stripe_flow.worker_gateway)
    for message_id in await outbox.due(sessionmaker):
        await outbox.process(sessionmaker, message_id)


async def inbox_count(sessionmaker: SessionMaker) -> int:
    async with sessionmaker() as session:
        return int((await session.exec(select(func.count()).select_from(InboundEvent))).one())


async def test_paid_online_end_to_end_with_duplicates_and_late_events(
    client: httpx.AsyncClient,
    performance: dict[str, Any],
    stripe_settings: Settings,
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, seats=["STALLS/1/4", "STALLS/1/5"])
    url = f"/public/orders/{order['id']}/payment"
    start = await ok(await client.post(url, params={"secret": order["secret"]}), 200)
    assert start["amount_cents"] == 6000
    assert start["client_secret"].startswith(start["payment_intent_id"])
    assert start["test_server"] == stripe_settings.stripe.api_base
    # Asking again gives the same PaymentIntent, not a second one.
    again = await ok(await client.post(url, params={"secret": order["secret"]}), 200)
    assert again["payment_intent_id"] == start["payment_intent_id"]

    status = await asyncio.to_thread(buyer_pays, stripe_settings, start["payment_intent_id"])
    assert status == "succeeded"
    body, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    response = await deliver(client, body, signature)
    assert response.status_code == 200
    assert response.json() == {"received": True}
    before = await inbox_count(sessionmaker)
    assert (await deliver(client, body, signature)).status_code == 200  # Stripe retries
    assert await inbox_count(sessionmaker) == before
    await run_worker(sessionmaker)

    paid = await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}), 200
    )
    assert paid["status"] == "paid"
    assert paid["paid_cents"] == 6000
    assert {t["status"] for t in paid["tickets"]} == {"valid"}
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["sold"] == ["STALLS/1/4", "STALLS/1/5"]

    # A late, out-of-order "failed" event for the same intent changes nothing: the worker
    # asks Stripe, which says succeeded.
    late = json.loads(body)
    late["id"] = "evt_late_" + uuid.uuid4().hex
    late["type"] = "payment_intent.payment_failed"
    payload = json.dumps(late)
    header = stripe.WebhookSignature._compute_signature(
        f"{int(time.time())}.{payload}", WEBHOOK_SECRET
    )
    response = await deliver(client, payload.encode(), f"t={int(time.time())},v1={header}")
    assert response.status_code == 200
    await run_worker(sessionmaker)
    still = await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}), 200
    )
    assert still["status"] == "paid"
    assert still["paid_cents"] == 6000
    async with sessionmaker() as session:
        payments = (
            await session.exec(select(Payment).where(Payment.order_id == uuid.UUID(order["id"])))
        ).all()
        assert [(p.status, p.amount_cents) for p in payments] == [("succeeded", 6000)]


async def test_bad_signature_is_refused_and_stores_nothing(
    client: httpx.AsyncClient, sessionmaker: SessionMaker
) -> None:
    before = await inbox_count(sessionmaker)
    body = json.dumps(
        {"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {}}}
    )
    response = await deliver(client, body.encode(), "t=1,v1=deadbeef")
    assert_problem(response, 400)
    assert await inbox_count(sessionmaker) == before


async def test_refund_goes_through_stripe_and_never_exceeds_the_payment(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    stripe_settings: Settings,
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, standing=[{"area": "FLOOR", "quantity": 2}])
    start = await ok(
        await client.post(
            f"/public/orders/{order['id']}/payment", params={"secret": order["secret"]}
        ),
        200,
    )
    await asyncio.to_thread(buyer_pays, stripe_settings, start["payment_intent_id"])
    body, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    await deliver(client, body, signature)
    await run_worker(sessionmaker)

    clerk = tenant.staff[Role.BOX_OFFICE].headers
    paid = await ok(await client.get(f"/orders/{order['id']}", headers=clerk), 200)
    one = paid["tickets"][0]["id"]
    cancelled = await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=clerk,
            json={"ticket_ids": [one], "reason": "ziek"},
        ),
        200,
    )
    assert cancelled["refunded_cents"] == 1500
    await run_worker(sessionmaker)
    gateway = StripeGateway(stripe_settings.stripe)
    refunded = await ok(await client.get(f"/orders/{order['id']}", headers=clerk), 200)
    assert refunded["status"] == "partly_refunded"
    async with sessionmaker() as session:
        refunds = (
            await session.exec(select(Refund).where(Refund.order_id == uuid.UUID(order["id"])))
        ).all()
        assert [(r.status, r.amount_cents) for r in refunds] == [("succeeded", 1500)]
        assert refunds[0].stripe_refund_id is not None
        # Our own bound: a refund above what the payment brought in is refused before Stripe.
        row = await session.get(Order, uuid.UUID(order["id"]))
        payment = (
            await session.exec(select(Payment).where(Payment.order_id == uuid.UUID(order["id"])))
        ).one()
    assert row is not None
    async with sessionmaker() as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        assert row is not None
        payment_row = await session.get(Payment, payment.id)
        assert payment_row is not None
        # The order's own CHECK: refunded never above paid.
        with pytest.raises(IntegrityError, match="money"):
            await order_refunds.queue_refund(
                session, row, payment_row, 2000, [], "too much", created_by_id=None
            )
        await session.rollback()
    async with sessionmaker() as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        payment_row = await session.get(Payment, payment.id)
        assert row is not None
        assert payment_row is not None
        row.paid_cents += 5000  # pretend the order says more than Stripe took
        await order_refunds.queue_refund(
            session, row, payment_row, 2000, [], "too much", created_by_id=None
        )
        # A commit of our own, not the unit of work's: the deferred writes go first.
        await raw.send_deferred(session)
        await session.commit()
    await run_worker(sessionmaker)
    async with sessionmaker() as session:
        refunds = (
            await session.exec(
                select(Refund)
                .where(Refund.order_id == uuid.UUID(order["id"]))
                .order_by(Refund.created_at)
            )
        ).all()
        assert [(r.status, r.amount_cents) for r in refunds] == [
            ("succeeded", 1500),
            ("failed", 2000),
        ]
        assert refunds[1].stripe_refund_id is None
        flagged = await session.get(Order, uuid.UUID(order["id"]))
        assert flagged is not None
        assert flagged.needs_attention
    intent = await gateway.get_intent(start["payment_intent_id"], account=None)
    assert intent.status == "succeeded"


async def test_payment_after_the_basket_expired_goes_back(
    client: httpx.AsyncClient,
    performance: dict[str, Any],
    stripe_settings: Settings,
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, seats=["BALCONY/1/1"])
    start = await ok(
        await client.post(
            f"/public/orders/{order['id']}/payment", params={"secret": order["secret"]}
        ),
        200,
    )
    # The buyer waits too long: the seat is sold to someone else.
    later = clock.now() + timedelta(minutes=20)
    clock.set_clock(lambda: later)
    await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["BALCONY/1/1"]}
        )
    )
    await asyncio.to_thread(buyer_pays, stripe_settings, start["payment_intent_id"])
    body, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    await deliver(client, body, signature)
    await run_worker(sessionmaker)
    view = await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}), 200
    )
    assert view["status"] == "refunded"
    assert view["needs_attention"] is False
    assert view["refunded_cents"] == view["paid_cents"] == 2000
    assert {t["status"] for t in view["tickets"]} == {"cancelled"}
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["held"] == ["BALCONY/1/1"]
    assert availability["sold"] == []
