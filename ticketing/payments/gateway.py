"""The Stripe gateway: the only place that talks to Stripe, through the official SDK.

Every call names the house's connected account when it has one, and sends an
idempotency key; our own code still guards against duplicates (the order row is locked
while its PaymentIntent is made) because the test server ignores idempotency keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe

from ticketing import clock
from ticketing.settings import StripeSettings


class GatewayError(Exception):
    """Stripe refused or could not be reached; the message is safe to show staff."""


class CardDeclined(GatewayError):
    """The buyer's card was refused; the message is safe to show the buyer."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str
    amount: int
    amount_received: int
    client_secret: str | None
    metadata: dict[str, str]
    latest_charge: str | None = None  # the charge that paid it (a transfer's source)


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str
    amount: int


def _options(account: str | None, idempotency_key: str | None = None) -> Any:
    options: dict[str, str] = {}
    if account:
        options["stripe_account"] = account
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def _intent(obj: Any) -> Intent:
    data = obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)
    return Intent(
        id=data["id"],
        status=data["status"],
        amount=int(data.get("amount") or 0),
        amount_received=int(
            data.get("amount_received") or (data["amount"] if data["status"] == "succeeded" else 0)
        ),
        client_secret=data.get("client_secret"),
        metadata=dict(data.get("metadata") or {}),
        latest_charge=_charge_id(data.get("latest_charge") or data.get("charges")),
    )


def _charge_id(value: Any) -> str | None:
    """The charge of an intent: an id, an expanded object, or (older API versions and the
    test server) the first of a list of charges."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("id"), str):
            return str(value["id"])
        charges = value.get("data") or []
        if charges and isinstance(charges[0], dict) and isinstance(charges[0].get("id"), str):
            return str(charges[0]["id"])
    return None


class StripeGateway:
    def __init__(
        self, settings: StripeSettings, http_client: stripe.HTTPClient | None = None
    ) -> None:
        if not settings.secret_key.get_secret_value():
            raise GatewayError("Online payments are not configured (TICKETING_STRIPE__SECRET_KEY).")
        self.settings = settings
        base = {"api": settings.api_base} if settings.api_base else None
        self.client = stripe.StripeClient(
            settings.secret_key.get_secret_value(),
            base_addresses=base,  # type: ignore[arg-type]
            http_client=http_client or stripe.HTTPXClient(),
            max_network_retries=2,
        )

    async def create_intent(
        self,
        *,
        amount: int,
        order_id: str,
        order_code: str,
        account: str | None,
        attempt: int = 1,
        transfer_group: str | None = None,
    ) -> Intent:
        """transfer_group: paid on the platform's account (account None) and split to the
        houses by Connect transfers of that group afterwards."""
        params: dict[str, Any] = {
            "amount": amount,
            "currency": self.settings.currency,
            "allowed_payment_method_types": self.settings.payment_method_types,
            "metadata": {"order_id": order_id, "order_code": order_code},
        }
        if transfer_group:
            params["transfer_group"] = transfer_group
        if self.settings.localstripe:
            # The test server predates the parameter's new name and has no Bancontact.
            del params["allowed_payment_method_types"]
            params["payment_method_types"] = ["card"]
        try:
            obj = await self.client.v1.payment_intents.create_async(
                params,  # type: ignore[arg-type]
                _options(account, f"order-{order_id}-intent-{attempt}"),
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the payment: {exc.user_message or exc}") from exc
        return _intent(obj)

    async def get_intent(self, intent_id: str, *, account: str | None) -> Intent:
        try:
            obj = await self.client.v1.payment_intents.retrieve_async(
                intent_id, None, _options(account)
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not be asked about {intent_id}: {exc}") from exc
        return _intent(obj)

    async def confirm_with_test_card(
        self, intent_id: str, *, card_number: str, account: str | None
    ) -> Intent:
        """What Stripe's Payment Element does in the browser, for the test-mode payment
        page: a card payment method from a test card number, then the confirmation."""
        if not self.settings.secret_key.get_secret_value().startswith("sk_test_"):
            raise GatewayError("Test cards are refused with a live Stripe key.")
        try:
            current = _intent(
                await self.client.v1.payment_intents.retrieve_async(
                    intent_id, None, _options(account)
                )
            )
            if current.status == "succeeded":
                return current  # paid already (a second click): nothing to do again
            method = await self.client.v1.payment_methods.create_async(
                {
                    "type": "card",
                    "card": {
                        "number": card_number,
                        "exp_month": 12,
                        "exp_year": clock.now().year + 3,
                        "cvc": "123",
                    },
                },
                _options(account),
            )
            await self.client.v1.payment_intents.update_async(
                intent_id, {"payment_method": method.id}, _options(account)
            )
            obj = await self.client.v1.payment_intents.confirm_async(
                intent_id, None, _options(account)
            )
            intent = _intent(obj)
            declined = None if intent.status == "succeeded" else "The card was declined."
        except stripe.CardError as exc:
            declined = exc.user_message or "The card was declined."
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the payment: {exc.user_message or exc}") from exc
        if declined is None:
            return intent
        # Cancelled, so that the next try gets a fresh intent: the test server cannot
        # confirm an intent again once a charge of it failed.
        try:
            await self.client.v1.payment_intents.cancel_async(intent_id, None, _options(account))
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the payment: {exc.user_message or exc}") from exc
        raise CardDeclined(declined)

    async def refund(
        self, intent_id: str, *, amount: int, account: str | None, idempotency_key: str
    ) -> RefundResult:
        try:
            obj = await self.client.v1.refunds.create_async(
                {"payment_intent": intent_id, "amount": amount}, _options(account, idempotency_key)
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the refund: {exc.user_message or exc}") from exc
        data = obj.to_dict()
        return RefundResult(id=data["id"], status=data["status"], amount=int(data["amount"]))

    async def create_transfer(
        self,
        *,
        amount: int,
        destination: str,
        transfer_group: str,
        source_transaction: str | None,
        metadata: dict[str, str],
        idempotency_key: str,
    ) -> str:
        """Stripe Connect: move amount from the platform's balance to a connected account;
        the id of the transfer."""
        params: dict[str, Any] = {
            "amount": amount,
            "currency": self.settings.currency,
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": metadata,
        }
        if source_transaction:
            # Tied to the charge: the transfer waits for its funds instead of failing.
            params["source_transaction"] = source_transaction
        try:
            obj = await self.client.v1.transfers.create_async(
                params,  # type: ignore[arg-type]
                _options(None, idempotency_key),
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the transfer: {exc.user_message or exc}") from exc
        return str(obj.id)

    async def reverse_transfer(self, transfer_id: str, *, amount: int, idempotency_key: str) -> str:
        """Take amount of a transfer back from the connected account; the reversal's id."""
        try:
            obj = await self.client.v1.transfers.reversals.create_async(
                transfer_id, {"amount": amount}, _options(None, idempotency_key)
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe refused the reversal: {exc.user_message or exc}") from exc
        return str(obj.id)


def verify_webhook(payload: bytes, signature: str | None, secret: str) -> dict[str, Any]:
    """The event, if the signature is Stripe's; raises ValueError otherwise."""
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature or "", secret)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise ValueError("The Stripe signature is not valid.") from exc
    event: dict[str, Any] = json.loads(payload)
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise ValueError("This is not a Stripe event.")
    return event
