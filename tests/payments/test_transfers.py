"""Stripe Connect "separate charges and transfers", at our boundary: localstripe knows no
Connect, so the SDK's HTTP client records what Podium sends, answers /v1/transfers and
their reversals as Stripe would (the same answer for a repeated idempotency key), and
passes everything else to localstripe. A cross-house basket paid online gives one
PaymentIntent on the platform's account and one transfer per owner house with the order
code as transfer_group; refunding one line reverses only that house's transfer; a
redelivered outbox message sends nothing twice."""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import stripe
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.money_support import online_order, run_worker
from fixtures.support import Tenant, assert_problem, make_tenant
from fixtures.world import ok
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.engine import SessionMaker
from ticketing.money.models import LedgerEntry
from ticketing.orders.models import Refund
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import StripeGateway
from ticketing.payments.models import StripeTransfer, StripeTransferReversal
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role

Call = tuple[str, str, dict[str, str], dict[str, list[str]]]


class ConnectBoundary(stripe.HTTPClient):
    """Records every request; answers Connect's endpoints itself, the rest localstripe."""

    name: ClassVar[str] = "connect-boundary"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.inner = stripe.HTTPXClient()
        self.answers: dict[str, bytes] = {}
        self.ids = itertools.count(1)

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        raw = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
        form = parse_qs(raw)
        self.calls.append((method, url, dict(headers), form))
        path = urlparse(url).path
        if not path.startswith("/v1/transfers"):
            # localstripe predates transfer groups: what it cannot take stays recorded here.
            kept = [(k, v) for k, values in form.items() for v in values if k != "transfer_group"]
            body = urlencode(kept) if post_data is not None else None
            return await self.inner.request_async(method, url, headers, body)
        key = headers.get("Idempotency-Key", "")
        if key in self.answers:  # as Stripe: a repeated key gets the first answer
            return self.answers[key], 200, {}
        amount = int(form["amount"][0])
        if path.endswith("/reversals"):
            transfer = path.split("/")[3]
            body = {"id": f"trr_{next(self.ids)}", "object": "transfer_reversal"}
            body |= {"amount": amount, "transfer": transfer}
        else:
            body = {"id": f"tr_{next(self.ids)}", "object": "transfer", "amount": amount}
            body |= {"destination": form["destination"][0]}
        self.answers[key] = json.dumps(body).encode()
        return self.answers[key], 200, {}

    async def close_async(self) -> None:
        await self.inner.close_async()

    def posts(self, prefix: str) -> list[Call]:
        return [c for c in self.calls if c[0] == "post" and urlparse(c[1]).path.startswith(prefix)]


async def transfers_of(sessionmaker: SessionMaker, order_id: str) -> dict[uuid.UUID, Any]:
    async with sessionmaker() as session:
        stmt = select(StripeTransfer).where(StripeTransfer.order_id == uuid.UUID(order_id))
        return {t.house_id: t for t in (await session.exec(stmt)).all()}


async def redeliver(sessionmaker: SessionMaker, topic: str) -> None:
    """The outbox message carried out again, as after a worker died before its ack."""
    async with sessionmaker() as session:
        await session.exec(  # type: ignore[call-overload]
            text("UPDATE outbox_message SET processed_at = NULL WHERE topic = :topic"),
            params={"topic": topic},
        )
        await session.commit()
    await run_worker(sessionmaker)


async def test_a_cross_house_basket_is_split_by_transfers_and_reversed_per_house(
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    stripe_settings: Settings,
    sessionmaker: SessionMaker,
) -> None:
    a = tenant
    b = await make_tenant(db, cluster=tenant.cluster)
    c = await make_tenant(db, cluster=tenant.cluster)  # not connected to Stripe yet
    a.house.stripe_account_id = "acct_house_a"
    b.house.stripe_account_id = "acct_house_b"
    db.add_all([a.house, b.house])
    await db.commit()
    admin = a.staff[Role.CLUSTER_ADMIN].headers
    # Only the cluster's admin turns transfers on.
    refused = await client.patch(
        f"/clusters/{a.cluster.id}",
        headers=a.staff[Role.HOUSE_ADMIN].headers,
        json={"stripe_transfers": True},
    )
    assert_problem(refused, 403)
    on = await ok(
        await client.patch(
            f"/clusters/{a.cluster.id}", headers=admin, json={"stripe_transfers": True}
        ),
        200,
    )
    assert on["stripe_transfers"] is True
    await ok(
        await client.patch(
            f"/houses/{a.house.id}",
            headers=a.staff[Role.HOUSE_ADMIN].headers,
            json={"online_fee_cents": 100},
        ),
        200,
    )
    boundary = ConnectBoundary()
    stripe_flow.set_gateway_factory(
        lambda: StripeGateway(stripe_settings.stripe, http_client=boundary)
    )

    show_a = await put_on_sale(client, a, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    show_b = await put_on_sale(client, b, MIXED_SPEC, {"A": 2500, "B": 1800, "S": 1200})
    show_c = await put_on_sale(client, c, MIXED_SPEC, {"A": 2000, "B": 1000, "S": 800})
    order = await online_order(
        client,
        stripe_settings,
        sessionmaker,
        [
            {"performance_id": show_a["id"], "seats": ["STALLS/1/1", "STALLS/1/2"]},
            {"performance_id": show_b["id"], "standing": [{"area": "FLOOR", "quantity": 2}]},
            {"performance_id": show_c["id"], "seats": ["BALCONY/1/1"]},
        ],
    )
    assert order["fees_cents"] == 500  # 5 tickets x 1.00, the selling house's
    total = 6000 + 2400 + 1000 + 500
    assert order["paid_cents"] == total

    # One PaymentIntent, on the platform's account, in the order's transfer group.
    [(_, _, headers, form)] = boundary.posts("/v1/payment_intents")
    assert "Stripe-Account" not in headers
    assert form["transfer_group"] == [order["code"]]
    assert form["amount"] == [str(total)]

    # One transfer per connected owner house; the fees go with the seller (A).
    sent = boundary.posts("/v1/transfers")
    by_destination = {f["destination"][0]: (h, f) for _, _, h, f in sent}
    assert set(by_destination) == {"acct_house_a", "acct_house_b"}
    assert len(sent) == 2
    for account, house, amount in (("acct_house_a", a, 6500), ("acct_house_b", b, 2400)):
        headers, form = by_destination[account]
        assert form["amount"] == [str(amount)]
        assert form["currency"] == ["eur"]
        assert form["transfer_group"] == [order["code"]]
        assert form["source_transaction"][0].startswith("ch_")
        assert headers["Idempotency-Key"] == f"transfer-{order['id']}-{house.house.id}-{account}"
        assert "Stripe-Account" not in headers
    rows = await transfers_of(sessionmaker, order["id"])
    assert {h: (t.status, t.amount_cents) for h, t in rows.items()} == {
        a.house.id: ("sent", 6500),
        b.house.id: ("sent", 2400),
        c.house.id: ("failed", 1000),
    }
    assert "no connected Stripe account" in (rows[c.house.id].last_error or "")
    # The open one is found by the cluster's admin.
    failed = await ok(
        await client.get(
            f"/clusters/{a.cluster.id}/transfers", headers=admin, params={"status": "failed"}
        ),
        200,
    )
    assert [(t["house_id"], t["amount_cents"]) for t in failed] == [(str(c.house.id), 1000)]
    assert failed[0]["last_error"]
    assert_problem(
        await client.get(
            f"/clusters/{a.cluster.id}/transfers", headers=a.staff[Role.FINANCE].headers
        ),
        403,
    )

    # Redelivered: nothing is sent twice.
    await redeliver(sessionmaker, "payments.transfers")
    assert len(boundary.posts("/v1/transfers")) == 2

    # The ledger: B's revenue is held by B (the money went to it), and the transfers.
    async with sessionmaker() as session:
        entries = (
            await session.exec(
                select(LedgerEntry).where(LedgerEntry.order_id == uuid.UUID(order["id"]))
            )
        ).all()
    sales = [e for e in entries if e.kind == "sale"]
    assert {(e.owner_house_id, e.holder_house_id) for e in sales} == {
        (a.house.id, a.house.id),
        (b.house.id, b.house.id),
        (c.house.id, c.house.id),
    }
    assert sorted((e.owner_house_id, e.gross_cents) for e in entries if e.kind == "transfer") == (
        sorted([(a.house.id, 6500), (b.house.id, 2400)])
    )

    # Its houses hold their shares by transfer: cash back at the counter or an exchange
    # would move money no transfer carries, so both are refused and change nothing.
    b_ticket = next(t for t in order["tickets"] if t["house_id"] == str(b.house.id))
    clerk = a.staff[Role.BOX_OFFICE].headers
    cash_back = await client.post(
        f"/orders/{order['id']}/cancel",
        headers=clerk,
        json={"ticket_ids": [b_ticket["id"]], "refund_method": "cash"},
    )
    assert_problem(cash_back, 422, "refund_method")
    swapped = await client.post(
        f"/orders/{order['id']}/exchange",
        headers=clerk,
        json={"ticket_id": b_ticket["id"], "hold_id": str(uuid.uuid4())},
    )
    assert_problem(swapped, 409)
    unchanged = await ok(await client.get(f"/orders/{order['id']}", headers=clerk), 200)
    assert {t["status"] for t in unchanged["tickets"]} == {"valid"}

    # Refunding one of B's tickets reverses B's share on B's transfer, and nothing else.
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=a.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [b_ticket["id"]], "refund_method": "original"},
        ),
        200,
    )
    await run_worker(sessionmaker)  # Stripe refunds
    await run_worker(sessionmaker)  # then the reversal
    async with sessionmaker() as session:
        [refund] = (
            await session.exec(select(Refund).where(Refund.order_id == uuid.UUID(order["id"])))
        ).all()
    assert refund.status == "succeeded"
    reversals = boundary.posts("/v1/transfers/")
    reversals = [r for r in reversals if r[1].endswith("/reversals")]
    rows = await transfers_of(sessionmaker, order["id"])
    b_transfer = rows[b.house.id]
    [(_, url, headers, form)] = reversals
    assert urlparse(url).path == f"/v1/transfers/{b_transfer.stripe_transfer_id}/reversals"
    assert form["amount"] == ["1200"]
    assert headers["Idempotency-Key"] == f"reversal-{refund.id}-{b_transfer.id}"
    assert b_transfer.reversed_cents == 1200
    assert rows[a.house.id].reversed_cents == 0
    async with sessionmaker() as session:
        back = (
            await session.exec(
                select(LedgerEntry).where(
                    LedgerEntry.order_id == uuid.UUID(order["id"]),
                    LedgerEntry.kind == "transfer_reversal",
                )
            )
        ).all()
        kept = (
            await session.exec(
                select(StripeTransferReversal).where(
                    col(StripeTransferReversal.refund_id) == refund.id
                )
            )
        ).all()
    assert [(e.owner_house_id, e.gross_cents, e.refund_id) for e in back] == [
        (b.house.id, -1200, refund.id)
    ]
    assert [(r.transfer_id, r.amount_cents, r.status) for r in kept] == [
        (b_transfer.id, 1200, "sent")
    ]
    # Redelivered: no second reversal.
    await redeliver(sessionmaker, "payments.transfer_reversals")
    assert len([r for r in boundary.posts("/v1/transfers/") if r[1].endswith("/reversals")]) == 1
