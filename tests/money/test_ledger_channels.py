"""What a sale at the counter books, by channel: a box-office sale is the counter, one
taken on the phone is the phone; every ticket is a sale line with its VAT (6 %, half up),
the money a payment line in the clerk's till, and the till's float is booked too."""

from __future__ import annotations

from typing import Any

import httpx
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant
from fixtures.world import ok
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.engine import SessionMaker
from ticketing.money.models import LedgerEntry
from ticketing.tenancy.roles import Role


async def _sell(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "standing": [{"area": "FLOOR", "quantity": 2}],
            },
        )
    )
    return await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={"hold_id": hold["id"], "payment": {"method": "card_terminal"}, **extra},
        )
    )


async def _entries(sessionmaker: SessionMaker, **where: Any) -> list[LedgerEntry]:
    async with sessionmaker() as session:
        assert isinstance(session, AsyncSession)
        query = select(LedgerEntry).order_by(LedgerEntry.id)  # type: ignore[arg-type]
        for name, value in where.items():
            query = query.where(getattr(LedgerEntry, name) == value)
        return list((await session.exec(query)).all())


async def test_counter_and_phone_sales_book_their_channel_vat_and_till(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: SessionMaker
) -> None:
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1999})
    till = await ok(
        await client.post(
            "/till/open",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"house_id": str(tenant.house.id), "float_cents": 5000},
        )
    )
    counter = await _sell(client, tenant, performance)
    phone = await _sell(client, tenant, performance, by_phone=True)

    for order, channel in ((counter, "counter"), (phone, "phone")):
        entries = await _entries(sessionmaker, order_id=order["id"])
        assert {e.channel for e in entries} == {channel}
        sales = [e for e in entries if e.kind == "sale"]
        assert sorted(str(e.ticket_id) for e in sales) == sorted(t["id"] for t in order["tickets"])
        for sale in sales:
            # 1999 * 6 / 106 = 113.15... -> 113; net + VAT is the gross.
            assert (sale.gross_cents, sale.vat_rate_bp, sale.vat_cents) == (1999, 600, 113)
            assert sale.net_cents == 1886
            assert sale.quantity == 1
            assert sale.owner_house_id == sale.seller_house_id == sale.holder_house_id
            assert sale.payment_method == "card_terminal"
            assert str(sale.till_session_id) == till["id"]
            assert str(sale.performance_id) == performance["id"]
        [payment] = [e for e in entries if e.kind == "payment"]
        assert payment.gross_cents == order["paid_cents"] == 3998
        assert (payment.vat_cents, payment.payment_method) == (0, "card_terminal")
        assert str(payment.till_session_id) == till["id"]

    [float_entry] = await _entries(sessionmaker, till_session_id=till["id"], kind="till_float")
    assert (float_entry.gross_cents, float_entry.payment_method) == (5000, "cash")
