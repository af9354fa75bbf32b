"""What localstripe cannot check: the requests Podium sends to Stripe itself, recorded at
the HTTP boundary of the official SDK."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qs

import stripe

from ticketing.payments.gateway import StripeGateway
from ticketing.settings import StripeSettings


class Recorder(stripe.HTTPClient):
    name: ClassVar[str] = "recorder"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, dict[str, str], dict[str, list[str]]]] = []

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        form = parse_qs(post_data.decode() if isinstance(post_data, bytes) else post_data or "")
        self.calls.append((method, url, dict(headers), form))
        body = {
            "id": "pi_recorded",
            "object": "payment_intent",
            "status": "requires_payment_method",
            "amount": int(form.get("amount", ["0"])[0]),
            "client_secret": "pi_recorded_secret_x",
            "metadata": {},
        }
        return json.dumps(body).encode(), 200, {}

    async def close_async(self) -> None:
        return None


async def test_payment_intent_for_a_connected_house_offers_card_and_bancontact() -> None:
    recorder = Recorder()
    gateway = StripeGateway(
        StripeSettings(secret_key="sk_test_boundary"),  # type: ignore[arg-type]
        http_client=recorder,
    )
    intent = await gateway.create_intent(
        amount=5600, order_id="ord-1", order_code="REI-AB234", account="acct_house_reinaert"
    )
    assert intent.id == "pi_recorded"
    [(method, url, headers, form)] = recorder.calls
    assert method == "post"
    assert url == "https://api.stripe.com/v1/payment_intents"
    assert headers["Stripe-Account"] == "acct_house_reinaert"
    assert headers["Idempotency-Key"] == "order-ord-1-intent-1"
    assert form["amount"] == ["5600"]
    assert form["currency"] == ["eur"]
    assert form["allowed_payment_method_types[0]"] == ["card"]
    assert form["allowed_payment_method_types[1]"] == ["bancontact"]
    assert form["metadata[order_code]"] == ["REI-AB234"]


async def test_a_house_without_connect_pays_to_the_platform() -> None:
    recorder = Recorder()
    gateway = StripeGateway(
        StripeSettings(secret_key="sk_test_boundary"),  # type: ignore[arg-type]
        http_client=recorder,
    )
    await gateway.create_intent(amount=100, order_id="ord-2", order_code="X-1", account=None)
    [(_, _, headers, _)] = recorder.calls
    assert "Stripe-Account" not in headers
