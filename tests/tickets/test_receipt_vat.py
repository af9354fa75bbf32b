"""The VAT on paper and in the order: each ticket of the PDF says the VAT its price
includes, the mail's receipt sums it per rate, and the order's JSON carries both."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pypdf
from fixtures.support import Tenant
from fixtures.tickets_support import Inbox, run_outbox, sell
from fixtures.world import ok

from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role


async def test_the_tickets_and_the_receipt_show_the_vat(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
    inbox: Inbox,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/1/1", "STALLS/1/2"], standing=1)
    # 3000 cents at 6 % hold 169.81 of VAT: 1.70 a seat; 1500 hold 84.91: 0.85.
    assert sorted(
        (t["price_cents"], t["vat_rate_bp"], t["vat_cents"]) for t in order["tickets"]
    ) == [
        (1500, 600, 85),
        (3000, 600, 170),
        (3000, 600, 170),
    ]
    assert order["vat"] == [
        {"rate_bp": 600, "gross_cents": 7500, "vat_cents": 425, "net_cents": 7075}
    ]
    await run_outbox(sessionmaker)
    download = await client.get(
        f"/public/orders/{order['id']}/tickets.pdf", params={"secret": order["secret"]}
    )
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(download.content)).pages]
    assert sorted(p for page in pages for p in page.splitlines() if "btw" in p) == [
        "incl. 6 % btw € 0,85",
        "incl. 6 % btw € 1,70",
        "incl. 6 % btw € 1,70",
    ]
    [mail] = inbox.messages
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Totaal € 75,00, waarvan 6 % btw € 4,25" in body

    # A cancelled ticket leaves the order's VAT: the staff view says what is still live.
    seat = next(t for t in order["tickets"] if t["seat_key"] == "STALLS/1/2")
    after = await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [seat["id"]], "refund_method": "cash"},
        ),
        200,
    )
    assert after["vat"] == [
        {"rate_bp": 600, "gross_cents": 4500, "vat_cents": 255, "net_cents": 4245}
    ]
    buyer = await ok(
        await client.get(f"/public/orders/{order['id']}", params={"secret": order["secret"]}), 200
    )
    assert buyer["vat"] == after["vat"]


async def test_an_english_ticket_says_vat(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
    inbox: Inbox,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/2/1"], language="en")
    await run_outbox(sessionmaker)
    download = await client.get(
        f"/public/orders/{order['id']}/tickets.pdf", params={"secret": order["secret"]}
    )
    [page] = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(download.content)).pages]
    assert "incl. 6% VAT €1.70" in page
    [mail] = inbox.messages
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_content()
    assert "Total €30.00, of which 6% VAT €1.70" in body
