"""The shop's test-mode payment page: Stripe's test cards confirmed on the configured
Stripe-compatible server (localstripe), the order paid by the signed webhook as usual."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fixtures.stripe_support import Deliveries
from fixtures.support import assert_problem
from fixtures.world import ok
from pydantic import ValidationError
from test_stripe import deliver, pending_order, run_worker

from ticketing.db.engine import SessionMaker
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import GatewayError, StripeGateway
from ticketing.settings import Settings, StripeSettings


@pytest.fixture
def stripe_settings(stripe_settings: Settings) -> Settings:
    stripe = stripe_settings.stripe.model_copy(update={"test_payment_page": True})
    configured = stripe_settings.model_copy(update={"stripe": stripe})
    stripe_flow.set_gateway_factory(lambda: StripeGateway(configured.stripe))
    return configured


async def test_a_test_card_pays_the_order_through_the_webhook(
    client: httpx.AsyncClient,
    performance: dict[str, Any],
    deliveries: Deliveries,
    sessionmaker: SessionMaker,
) -> None:
    order = await pending_order(client, performance, seats=["STALLS/1/1"])
    secret = {"secret": order["secret"]}
    pay = f"/public/orders/{order['id']}/test-payment"
    # Nothing started yet: nothing to pay.
    assert_problem(
        await client.post(pay, params=secret, json={"card_number": "4242424242424242"}), 409
    )
    start = await ok(await client.post(f"/public/orders/{order['id']}/payment", params=secret), 200)
    assert start["test_mode"] is True

    # Only Stripe's test cards, and a wrong secret finds no order.
    body = assert_problem(
        await client.post(pay, params=secret, json={"card_number": "5555 5555 5555 4444"}),
        400,
        "card_number",
    )
    assert "4242 4242 4242 4242" in body["errors"][0]["message"]
    assert_problem(
        await client.post(pay, params={"secret": "x"}, json={"card_number": "4242424242424242"}),
        404,
    )
    # The declined test card: refused, the order still waits.
    assert_problem(
        await client.post(pay, params=secret, json={"card_number": "4000 0000 0000 0341"}),
        402,
        "card_number",
    )
    # The page starts the payment again before the next try: a fresh PaymentIntent, since
    # the declined one was cancelled.
    again = await ok(await client.post(f"/public/orders/{order['id']}/payment", params=secret), 200)
    assert again["payment_intent_id"] != start["payment_intent_id"]
    start = again
    paid = await ok(
        await client.post(pay, params=secret, json={"card_number": "4242 4242 4242 4242"}), 200
    )
    assert paid == {"status": "succeeded"}
    # A second click changes nothing.
    assert await ok(
        await client.post(pay, params=secret, json={"card_number": "4242424242424242"}), 200
    ) == {"status": "succeeded"}

    webhook, signature = await asyncio.to_thread(
        deliveries.wait_for, "payment_intent.succeeded", start["payment_intent_id"]
    )
    assert (await deliver(client, webhook, signature)).status_code == 200
    await run_worker(sessionmaker)
    order_now = await ok(await client.get(f"/public/orders/{order['id']}", params=secret), 200)
    assert (order_now["status"], order_now["paid_cents"]) == ("paid", 3000)
    # The buyer's page says what and where, with the names of the hall's sections.
    (show,) = order_now["performances"]
    assert (show["id"], show["title"]["nl"]) == (performance["id"], "Te koop")
    assert show["sections"]["STALLS"] == "Parterre"
    assert show["areas"] == {"FLOOR": "Vloer"}


async def test_without_the_setting_there_is_no_test_payment(
    client: httpx.AsyncClient, performance: dict[str, Any], stripe_settings: Settings
) -> None:
    stripe_settings.stripe.test_payment_page = False
    order = await pending_order(client, performance, seats=["STALLS/1/2"])
    secret = {"secret": order["secret"]}
    start = await ok(await client.post(f"/public/orders/{order['id']}/payment", params=secret), 200)
    assert start["test_mode"] is False
    assert_problem(
        await client.post(
            f"/public/orders/{order['id']}/test-payment",
            params=secret,
            json={"card_number": "4242424242424242"},
        ),
        404,
    )


def test_a_live_key_never_takes_test_cards(localstripe_url: str) -> None:
    with pytest.raises(ValidationError, match="sk_test_"):
        StripeSettings(secret_key="sk_live_podium", test_payment_page=True)  # type: ignore[arg-type]
    live = StripeGateway(
        StripeSettings(secret_key="sk_live_podium", api_base=localstripe_url, localstripe=True)  # type: ignore[arg-type]
    )
    with pytest.raises(GatewayError, match="live"):
        asyncio.run(
            live.confirm_with_test_card("pi_x", card_number="4242424242424242", account=None)
        )
