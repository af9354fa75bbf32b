from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from ticketing.core.errors import DomainError, FieldError, NotFound
from ticketing.core.idempotency import replay_or_run
from ticketing.core.jobs import enqueue_after_commit
from ticketing.core.openapi import RAW_BODY, problem, success
from ticketing.core.ratelimit import ORDER_SECRET
from ticketing.orders.controllers import IdempotencyKey
from ticketing.payments import stripe_flow, transfers
from ticketing.payments.gateway import CardDeclined, GatewayError, verify_webhook
from ticketing.payments.models import TransferStatus
from ticketing.payments.schemas import PaymentStart, TestCardIn, TransferOut
from ticketing.tenancy.deps import Caller, Config, Db


class PaymentUnavailable(DomainError):
    status_code = 503
    type_slug = "payment-unavailable"
    title = "Online payment is not available"


class BadSignature(DomainError):
    status_code = 400
    type_slug = "bad-signature"
    title = "Webhook refused"


class PaymentRefused(DomainError):
    status_code = 402
    type_slug = "payment-refused"
    title = "Payment refused"


_UNAVAILABLE = problem(
    503,
    "Online payment is not configured, or Stripe cannot be reached (type payment-unavailable).",
    "payment-unavailable",
)


class ShopPaymentController(Controller):
    path = "/public/orders"
    tags = ["shop"]
    opt = {"exclude_from_auth": True}

    @post(
        "/{order_id:uuid}/payment",
        summary="Start (or resume) paying an order with Stripe",
        opt={ORDER_SECRET: True},
        status_code=200,
        responses={
            200: success(PaymentStart, "What the page needs; replayed for a repeated key."),
            503: _UNAVAILABLE,
        },
    )
    async def start(
        self,
        db: Db,
        settings: Config,
        order_id: FromPath[uuid.UUID],
        secret: FromQuery[str],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[dict[str, Any]]:
        async def run() -> tuple[int, dict[str, Any]]:
            try:
                payment, intent = await stripe_flow.start_buyers_payment(
                    db, stripe_flow.gateway_factory(), order_id, secret
                )
            except GatewayError as exc:
                raise PaymentUnavailable(str(exc)) from exc
            assert intent.client_secret is not None
            start = PaymentStart(
                payment_intent_id=intent.id,
                client_secret=intent.client_secret,
                publishable_key=settings.stripe.publishable_key,
                amount_cents=payment.amount_cents,
                currency=settings.stripe.currency,
                test_server=settings.stripe.api_base or None,
                test_mode=settings.stripe.test_payment_page,
            )
            return 200, start.model_dump(mode="json")

        status, body = await replay_or_run(
            db,
            scope=f"payment:{order_id}",
            key=idempotency_key,
            body={"order": str(order_id)},
            run=run,
        )
        return Response(body, status_code=status)

    @post(
        "/{order_id:uuid}/test-payment",
        summary="Test mode only: pay the started payment with one of Stripe's test cards",
        opt={ORDER_SECRET: True},
        status_code=200,
        responses={
            402: problem(402, "The card was declined (type payment-refused).", "payment-refused"),
            503: _UNAVAILABLE,
        },
    )
    async def test_payment(
        self,
        db: Db,
        settings: Config,
        order_id: FromPath[uuid.UUID],
        secret: FromQuery[str],
        data: JSONBody[TestCardIn],
    ) -> dict[str, str]:
        """The shop's test-mode payment page (settings `stripe.test_payment_page`): the
        platform confirms the order's PaymentIntent on the configured Stripe-compatible
        server, as Stripe's Payment Element would in the browser. The order is paid when
        the signed webhook comes in, as with a real payment."""
        if not settings.stripe.test_payment_page:
            raise NotFound("There is no test-mode payment on this platform.")
        try:
            intent = await stripe_flow.pay_with_test_card(
                db, stripe_flow.gateway_factory(), order_id, secret, data.card_number
            )
        except CardDeclined as exc:
            raise PaymentRefused(str(exc), errors=[FieldError("card_number", str(exc))]) from exc
        except GatewayError as exc:
            raise PaymentUnavailable(str(exc)) from exc
        return {"status": intent.status}


class StripeWebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]
    opt = {"exclude_from_auth": True}

    @post(
        "/stripe",
        summary="Stripe events (signed); stored, answered at once, handled by a worker",
        status_code=200,
        opt={RAW_BODY: ("application/json",)},
        responses={
            400: problem(
                400, "The signature does not match (type bad-signature).", "bad-signature"
            ),
            503: _UNAVAILABLE,
        },
    )
    async def stripe_event(
        self, request: Request[Any, Any, Any], db: Db, settings: Config
    ) -> Response[dict[str, bool]]:
        secret = settings.stripe.webhook_secret.get_secret_value()
        if not secret:
            raise PaymentUnavailable("Stripe webhooks are not configured on this platform.")
        try:
            event = verify_webhook(
                await request.body(), request.headers.get("stripe-signature"), secret
            )
        except ValueError as exc:
            raise BadSignature(str(exc)) from exc
        stored = await stripe_flow.store_event(db, event)
        if stored is not None:
            enqueue_after_commit(db, stripe_flow.PROCESS_TASK, str(stored))
        return Response({"received": True}, status_code=200)


class TransferController(Controller):
    path = "/clusters/{cluster_id:uuid}/transfers"
    tags = ["money"]

    @get("/", summary="The cluster's Stripe Connect transfers (status=failed: the open ones)")
    async def list_transfers(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        status: FromQuery[TransferStatus | None] = None,
    ) -> list[TransferOut]:
        rows = await transfers.list_transfers(db, principal, cluster_id, status)
        return [TransferOut.model_validate(row) for row in rows]


CONTROLLERS = [ShopPaymentController, StripeWebhookController, TransferController]
