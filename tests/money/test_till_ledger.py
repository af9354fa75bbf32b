"""The till's report is read from the ledger: after a day at the counter (cash and card
sales, a refund in cash, one to the card) it equals both the payment and refund records of
the till session and the sums of its ledger entries."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import httpx
from fixtures.support import Tenant
from fixtures.world import ok
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.money.models import LedgerEntry
from ticketing.orders.models import Payment, Refund
from ticketing.tenancy.roles import Role

from .conftest import open_till, sell


async def test_a_tills_report_is_the_sum_of_its_records_and_its_ledger(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    till = await open_till(client, tenant, 5000)
    cash = await sell(client, tenant, performance, ["STALLS/1/1", "STALLS/1/2"], "cash")
    card = await sell(client, tenant, performance, ["BALCONY/1/1", "BALCONY/1/2"], "card_terminal")
    for order, how in ((cash, "cash"), (card, "original")):
        await ok(
            await client.post(
                f"/orders/{order['id']}/cancel",
                headers=clerk,
                json={"ticket_ids": [order["tickets"][0]["id"]], "refund_method": how},
            ),
            200,
        )
    closed = await ok(
        await client.post(
            f"/till/{till['id']}/close", headers=clerk, json={"counted_cash_cents": 0}
        ),
        200,
    )
    report = closed["report"]

    till_id = uuid.UUID(till["id"])
    payments = (await db.exec(select(Payment).where(Payment.till_session_id == till_id))).all()
    refunds = (await db.exec(select(Refund).where(Refund.till_session_id == till_id))).all()
    taken: dict[str, int] = defaultdict(int)
    back: dict[str, int] = defaultdict(int)
    for p in payments:
        taken[p.method] += p.amount_cents
    for r in refunds:
        back[r.method] += r.amount_cents
    assert {m: (v["taken_cents"], v["refunded_cents"]) for m, v in report["by_method"].items()} == {
        m: (taken[m], back[m]) for m in set(taken) | set(back)
    }
    assert report["by_method"]["cash"]["taken_cents"] == cash["paid_cents"]
    assert (
        report["by_method"]["card_terminal"]["refunded_cents"] == card["tickets"][0]["price_cents"]
    )

    entries = (
        await db.exec(select(LedgerEntry).where(LedgerEntry.till_session_id == till_id))
    ).all()
    by_kind: dict[tuple[str, str | None], int] = defaultdict(int)
    for e in entries:
        by_kind[(e.kind, e.payment_method)] += e.gross_cents
    assert report["float_cents"] == by_kind[("till_float", "cash")] == 5000
    for method, line in report["by_method"].items():
        assert line["taken_cents"] == by_kind[("payment", method)]
        assert line["refunded_cents"] == -by_kind[("refund", method)]
        assert line["payments"] == sum(
            1 for e in entries if e.kind == "payment" and e.payment_method == method
        )
    expected = 5000 + taken["cash"] - back["cash"]
    assert report["expected_cash_cents"] == expected
    assert report["difference_cents"] == -expected
    # The count's difference is booked too: the till's cash in the ledger is what was counted.
    assert by_kind[("till_difference", "cash")] == -expected
    cash_in_ledger = sum(
        e.gross_cents
        for e in entries
        if e.payment_method == "cash"
        and e.kind in ("till_float", "payment", "refund", "till_difference")
    )
    assert cash_in_ledger == closed["counted_cash_cents"] == 0
