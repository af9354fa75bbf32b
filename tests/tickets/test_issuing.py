"""Issuing: signed QR codes read back by a real decoder (zbar), the PDF and the mail."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import datetime
from typing import Any

import httpx
import pypdf
import pytest
from cryptography.exceptions import InvalidTag
from fixtures.support import TICKETS_SECRET, Tenant, assert_problem
from fixtures.tickets_support import Inbox, run_outbox, sell
from fixtures.world import ok
from PIL import Image
from pyzbar import pyzbar
from sqlalchemy import update
from sqlmodel import col, select

from ticketing.checkin.verify import Reason, Verifier
from ticketing.core.keyring import Keyring
from ticketing.core.outbox import OutboxMessage
from ticketing.db.engine import SessionMaker
from ticketing.orders.models import Ticket
from ticketing.tenancy.roles import Role
from ticketing.tickets import issuing, signing
from ticketing.tickets.models import SigningKey


def read_qr(image: Image.Image) -> str:
    """Decode a QR code image with zbar (enlarged first: PDF images are 1 px a module)."""
    if image.width < 200:
        factor = 400 // image.width + 1
        image = image.resize(
            (image.width * factor, image.height * factor), Image.Resampling.NEAREST
        )
    found = pyzbar.decode(image.convert("L"))
    assert len(found) == 1, found
    assert found[0].type == "QRCODE"
    return found[0].data.decode()


async def tickets_of(sessionmaker: SessionMaker, order_id: str) -> list[Ticket]:
    async with sessionmaker() as session:
        stmt = select(Ticket).where(Ticket.order_id == uuid.UUID(order_id)).order_by(col(Ticket.id))
        return list((await session.exec(stmt)).all())


async def verifier(client: httpx.AsyncClient, tenant: Tenant) -> Verifier:
    keys = await ok(
        await client.get(
            f"/houses/{tenant.house.id}/signing-keys",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )
    return Verifier({k["key_id"]: base64.b64decode(k["public_key"]) for k in keys})


def starts(performance: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(performance["starts_at"])


async def test_issued_codes_read_back_verify_and_arrive_by_mail_with_the_pdf(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
    inbox: Inbox,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/1/4"], standing=1)
    assert await run_outbox(sessionmaker) == 2  # the issuing, then the mail
    tickets = await tickets_of(sessionmaker, order["id"])
    assert len(tickets) == 2
    assert all(t.qr and t.key_id and t.issued_at for t in tickets)
    check = await verifier(client, tenant)

    for ticket in tickets:
        png = await client.get(
            f"/public/orders/{order['id']}/tickets/{ticket.id}/qr.png",
            params={"secret": order["secret"]},
        )
        assert png.status_code == 200
        assert png.headers["content-type"] == "image/png"
        text = read_qr(Image.open(io.BytesIO(png.content)))
        assert text == ticket.qr
        verdict = check.check(
            text, now=starts(performance), performance_id=uuid.UUID(performance["id"])
        )
        assert verdict.reason is Reason.VALID
        assert verdict.claims is not None
        assert verdict.claims.ticket_id == ticket.id
        assert verdict.claims.place == (ticket.seat_key or ticket.area_code)
    # The wrong secret shows nothing.
    wrong = await client.get(
        f"/public/orders/{order['id']}/tickets/{tickets[0].id}/qr.png", params={"secret": "x"}
    )
    assert_problem(wrong, 404)

    # One mail, to the buyer, with the PDF and the link.
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "Jan Peeters <jan@example.be>"
    assert order["code"] in mail["Subject"]
    attachments = [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
    assert len(attachments) == 1
    pdf = pypdf.PdfReader(io.BytesIO(attachments[0].get_payload(decode=True)))
    assert len(pdf.pages) == 2
    pages = [page.extract_text() for page in pdf.pages]
    assert all("Te koop" in p and order["code"] in p for p in pages)
    assert any("Rij 1, stoel 4" in p for p in pages)
    assert any("Staanplaats · FLOOR" in p for p in pages)
    # The QR code printed on each page is the ticket's own.
    printed = {read_qr(page.images[0].image) for page in pdf.pages}
    assert printed == {t.qr for t in tickets}
    body = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    # The link opens the buyer's "my tickets" page, which downloads the PDF with the secret.
    link = f"http://tickets.test/shop/orders/{order['id']}?secret={order['secret']}"
    assert link in body.get_content()
    page = await client.get(link.removeprefix("http://tickets.test"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    download = await client.get(
        f"/public/orders/{order['id']}/tickets.pdf", params={"secret": order["secret"]}
    )
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(download.content)).pages) == 2
    history = await ok(
        await client.get(
            f"/orders/{order['id']}/history", headers=tenant.staff[Role.BOX_OFFICE].headers
        ),
        200,
    )
    kinds = [e["kind"] for e in history]
    assert kinds[-2:] == ["tickets_issued", "tickets_mailed"]


async def test_issuing_again_changes_nothing_and_mails_once(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
    inbox: Inbox,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/2/1", "STALLS/2/2"])
    async with sessionmaker() as session:
        (issue_id,) = (
            await session.exec(select(OutboxMessage.id).where(OutboxMessage.topic == issuing.TOPIC))
        ).all()
    await run_outbox(sessionmaker)
    first = {t.id: t.qr for t in await tickets_of(sessionmaker, order["id"])}
    assert len(inbox.messages) == 1
    # The task delivered again (Celery retry): the message is done, nothing runs.
    assert await run_outbox(sessionmaker) == 0
    # The handler itself run again, as if the message had not been marked done.
    async with sessionmaker() as session:
        await session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id) == issue_id).values(processed_at=None)
        )
        await session.commit()
    assert await run_outbox(sessionmaker) == 1  # the issuing only: no new mail queued
    assert {t.id: t.qr for t in await tickets_of(sessionmaker, order["id"])} == first
    assert len(inbox.messages) == 1


async def test_a_cancelled_ticket_is_revoked_and_an_exchange_gets_a_new_code(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/3/1", "STALLS/3/2"], email=None)
    await run_outbox(sessionmaker)
    kept, cancelled = await tickets_of(sessionmaker, order["id"])
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=clerk,
            json={"ticket_ids": [str(cancelled.id)], "refund_method": "cash"},
        ),
        200,
    )
    gone = await client.get(
        f"/public/orders/{order['id']}/tickets/{cancelled.id}/qr.png",
        params={"secret": order["secret"]},
    )
    assert_problem(gone, 404)
    pdf = await client.get(
        f"/public/orders/{order['id']}/tickets.pdf", params={"secret": order["secret"]}
    )
    assert len(pypdf.PdfReader(io.BytesIO(pdf.content)).pages) == 1
    # Exchange the kept ticket to another seat (same zone, same price): a new ticket, a
    # new code.
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/3/5"],
            },
        )
    )
    await ok(
        await client.post(
            f"/orders/{order['id']}/exchange",
            headers=clerk,
            json={"ticket_id": str(kept.id), "hold_id": hold["id"]},
        ),
        200,
    )
    await run_outbox(sessionmaker)
    after = {t.id: t for t in await tickets_of(sessionmaker, order["id"])}
    assert after[kept.id].status == "exchanged"
    (new,) = [t for t in after.values() if t.status == "valid"]
    assert new.qr
    assert new.qr != kept.qr
    assert new.seat_key == "STALLS/3/5"


async def test_rotation_signs_new_tickets_with_a_new_key_and_old_ones_stay_valid(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    before = await sell(client, tenant, performance, seats=["BALCONY/1/1"], email=None)
    await run_outbox(sessionmaker)
    path = f"/houses/{tenant.house.id}/signing-keys/rotate"
    assert_problem(await client.post(path, headers=tenant.staff[Role.BOX_OFFICE].headers), 403)
    new_key = await ok(await client.post(path, headers=tenant.staff[Role.HOUSE_ADMIN].headers))
    after = await sell(client, tenant, performance, seats=["BALCONY/1/2"], email=None)
    await run_outbox(sessionmaker)
    (old_ticket,) = await tickets_of(sessionmaker, before["id"])
    (new_ticket,) = await tickets_of(sessionmaker, after["id"])
    assert new_ticket.key_id == new_key["key_id"] != old_ticket.key_id
    check = await verifier(client, tenant)
    for ticket in (old_ticket, new_ticket):
        assert ticket.qr is not None
        assert check.check(ticket.qr, now=starts(performance)).reason is Reason.VALID
    keys = await ok(
        await client.get(
            f"/houses/{tenant.house.id}/signing-keys",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )
    assert [k["retired_at"] is None for k in keys] == [True, False]
    assert all("private" not in field for k in keys for field in k)


async def test_private_keys_are_stored_sealed(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    await sell(client, tenant, performance, seats=["BALCONY/1/3"], email=None)
    await run_outbox(sessionmaker)
    async with sessionmaker() as session:
        key = (
            await session.exec(select(SigningKey).where(SigningKey.house_id == tenant.house.id))
        ).one()
    context = key.key_id.to_bytes(4, "big") + key.house_id.bytes
    private = Keyring(TICKETS_SECRET).unseal(key.sealed_private_key, context)
    assert len(private) == 32
    assert private not in key.sealed_private_key
    with pytest.raises(InvalidTag):
        Keyring("another-secret-" + "o" * 32).unseal(key.sealed_private_key, context)
    with pytest.raises(InvalidTag):  # bound to its own key id and house
        Keyring(TICKETS_SECRET).unseal(key.sealed_private_key, b"\0\0\0\0" + key.house_id.bytes)


async def test_box_office_prints_thermal_tickets_with_the_house_logo(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    logo = io.BytesIO()
    Image.new("RGB", (120, 40), (200, 30, 30)).save(logo, format="PNG")
    path = f"/houses/{tenant.house.id}/logo"
    refused = await client.put(path, headers=admin, content=b"not an image")
    assert_problem(refused, 422)
    assert refused.json()["errors"][0]["field"] == "logo"
    assert_problem(
        await client.put(
            path, headers=tenant.staff[Role.BOX_OFFICE].headers, content=logo.getvalue()
        ),
        403,
    )
    assert (await client.put(path, headers=admin, content=logo.getvalue())).status_code == 204
    order = await sell(
        client, tenant, performance, seats=["BALCONY/1/4"], email=None, language="fr"
    )
    await run_outbox(sessionmaker)
    printed = await client.get(
        f"/orders/{order['id']}/tickets.pdf", headers=tenant.staff[Role.BOX_OFFICE].headers
    )
    assert printed.status_code == 200
    page = pypdf.PdfReader(io.BytesIO(printed.content)).pages[0]
    assert round(float(page.mediabox.width) / 72 * 25.4) == 80  # millimetres
    assert "Rang 1, siège 4" in page.extract_text()
    assert read_qr(page.images[0].image).startswith("PD1:")
    a4 = await client.get(
        f"/orders/{order['id']}/tickets.pdf",
        params={"layout": "a4"},
        headers=tenant.staff[Role.BOX_OFFICE].headers,
    )
    a4_page = pypdf.PdfReader(io.BytesIO(a4.content)).pages[0]
    assert len(a4_page.images) == 2  # the logo and the QR code
    assert round(float(a4_page.mediabox.width) / 72 * 25.4) == 210
    # Not issued yet: nothing to print, said plainly.
    pending = await sell(client, tenant, performance, seats=["BALCONY/1/5"], email=None)
    early = await client.get(
        f"/orders/{pending['id']}/tickets.pdf", headers=tenant.staff[Role.BOX_OFFICE].headers
    )
    assert_problem(early, 404)


async def test_a_key_made_by_a_transaction_that_rolled_back_is_not_used(
    sessionmaker: SessionMaker, tenant: Tenant
) -> None:
    house = tenant.house
    async with sessionmaker() as session:
        lost = await signing.signer(session, house.id, house.cluster_id)
        # The order's next ticket, in the same transaction: the same key, still not kept.
        assert (await signing.signer(session, house.id, house.cluster_id)) == lost
        await session.rollback()
    async with sessionmaker() as session:
        kept = await signing.signer(session, house.id, house.cluster_id)
        await session.commit()
    async with sessionmaker() as session:
        stored = (
            await session.exec(select(SigningKey.key_id).where(SigningKey.house_id == house.id))
        ).all()
        # Known now: the next order reuses it without making another.
        again = await signing.signer(session, house.id, house.cluster_id)
    assert lost.key_id != kept.key_id
    assert stored == [kept.key_id]
    assert again.key_id == kept.key_id
