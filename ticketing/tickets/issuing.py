"""Issuing the tickets of a paid order, carried out by a worker from the outbox.

`tickets.issue` signs every valid ticket of the order that has no QR code yet (with its
house's active key) and stores the code on the ticket, in the transaction that marks the
outbox message done: running it again finds nothing left to sign, so a ticket keeps the
code it was first given. When it signed something and the order has an e-mail address, it
queues `tickets.mail`, which sends the mail with the PDF once and records that in the
order's history (a crash between the SMTP server's acceptance and that record sends it
again, with the same Message-ID).

Cancelling, refunding or exchanging a ticket changes its status, which revokes its code
(scans and the offline kit's revocation list read the status); the new ticket of an
exchange is a new row, issued by a new `tickets.issue`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import outbox
from ticketing.core.keyring import ticket_settings, tickets_link
from ticketing.orders.repository import insert_event
from ticketing.tickets import mail, render
from ticketing.tickets.payload import TicketClaims
from ticketing.tickets.signing import signer, validity

log = logging.getLogger(__name__)

TOPIC = "tickets.issue"
MAIL_TOPIC = "tickets.mail"

_TO_SIGN = text(
    """
    SELECT t.id, t.house_id, t.cluster_id, t.performance_id, t.seat_key, t.area_code,
           t.tariff_code, t.requires_check, p.starts_at, p.ends_at,
           o.customer_email, o.house_id AS order_house_id
    FROM ticket t
    JOIN performance p ON p.id = t.performance_id
    JOIN customer_order o ON o.id = t.order_id
    WHERE t.order_id = :order_id AND t.status = 'valid' AND t.qr IS NULL
    ORDER BY t.id
    FOR UPDATE OF t
    """
)
_STORE = text(
    "UPDATE ticket SET qr = :qr, key_id = :key_id, issued_at = :now, updated_at = :now "
    "WHERE id = :id"
)


async def issue(session: AsyncSession, order_id: uuid.UUID) -> int:
    """Give every valid ticket of the order without a code its signed code; when it signed
    something, record it and queue the mail (if the order has an address)."""
    connection = await session.connection()
    rows = (await connection.execute(_TO_SIGN, {"order_id": order_id})).all()
    if not rows:
        return 0
    settings = ticket_settings()
    now = clock.now()
    updates: list[dict[str, Any]] = []
    for row in rows:
        key = await signer(session, row.house_id, row.cluster_id)
        valid_from, valid_until = validity(
            row.starts_at, row.ends_at, settings.valid_hours_before, settings.valid_hours_after
        )
        claims = TicketClaims(
            key_id=key.key_id,
            ticket_id=row.id,
            performance_id=row.performance_id,
            valid_from=valid_from,
            valid_until=valid_until,
            needs_check=row.requires_check,
            place=row.seat_key or row.area_code or "",
            tariff=row.tariff_code,
        )
        updates.append({"id": row.id, "qr": key.sign(claims), "key_id": key.key_id, "now": now})
    await connection.execute(_STORE, updates)
    insert_event(session, order_id, now, "tickets_issued", None, {"tickets": len(updates)})
    if rows[0].customer_email:
        outbox.put(
            session, MAIL_TOPIC, {"order_id": str(order_id)}, house_id=rows[0].order_house_id
        )
    return len(updates)


@outbox.handler(TOPIC)
async def issue_order(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    await issue(session, uuid.UUID(message.payload["order_id"]))


_VIEW = text(
    """
    SELECT t.qr, t.seat_key, t.area_code, t.price_cents, t.requires_check, t.tariff_code,
           t.vat_rate_bp,
           tr.name AS tariff_name, e.title, p.starts_at, v.name AS venue, h.name AS hall
    FROM ticket t
    JOIN performance p ON p.id = t.performance_id
    JOIN event e ON e.id = p.event_id
    JOIN hall h ON h.id = p.hall_id
    JOIN venue v ON v.id = h.venue_id
    LEFT JOIN tariff tr ON tr.id = t.tariff_id
    WHERE t.order_id = :order_id AND t.status = 'valid' AND t.qr IS NOT NULL
    ORDER BY p.starts_at, t.seat_key, t.area_code, t.id
    """
)


def _in(language: str, names: dict[str, str] | None, fallback: str) -> str:
    if not names:
        return fallback
    return names.get(language) or names.get("nl") or next(iter(names.values()), fallback)


_ORDER = text(
    """
    SELECT o.id, o.code, o.customer_name, o.customer_email, o.language, o.fees_cents,
           o.fees_vat_rate_bp,
           h.name AS house_name, l.data AS logo
    FROM customer_order o
    JOIN house h ON h.id = o.house_id
    LEFT JOIN house_logo l ON l.house_id = o.house_id
    WHERE o.id = :order_id
    """
)


async def order_view(session: AsyncSession, order_id: uuid.UUID) -> render.OrderView | None:
    """Everything printed on the order's valid, issued tickets (None: no such order)."""
    connection = await session.connection()
    order = (await connection.execute(_ORDER, {"order_id": order_id})).first()
    if order is None:
        return None
    rows = (await connection.execute(_VIEW, {"order_id": order_id})).all()
    language = order.language
    return render.OrderView(
        code=order.code,
        customer_name=order.customer_name,
        customer_email=order.customer_email,
        language=language,
        house_name=order.house_name,
        logo=order.logo,
        tickets=[
            render.TicketView(
                qr=row.qr,
                title=_in(language, row.title, ""),
                starts_at=row.starts_at,
                venue=row.venue,
                hall=row.hall,
                seat_key=row.seat_key,
                area_code=row.area_code,
                tariff=_in(language, row.tariff_name, row.tariff_code),
                price_cents=row.price_cents,
                requires_check=row.requires_check,
                vat_rate_bp=row.vat_rate_bp,
            )
            for row in rows
        ],
        fees_cents=order.fees_cents,
        fees_vat_rate_bp=order.fees_vat_rate_bp,
    )


@outbox.handler(MAIL_TOPIC)
async def mail_tickets(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    order_id = uuid.UUID(message.payload["order_id"])
    settings = ticket_settings()
    if not settings.smtp_host:
        log.warning("no SMTP server configured: the tickets of order %s are not mailed", order_id)
        insert_event(session, order_id, clock.now(), "tickets_not_mailed", None, {})
        return
    view = await order_view(session, order_id)
    if view is None or not view.customer_email or not view.tickets:
        return
    mail_id = f"<tickets-{message.id}@podium>"
    await mail.send(
        settings,
        mail.message(
            settings=settings,
            to=view.customer_email,
            name=view.customer_name,
            language=view.language,
            code=view.code,
            title=view.tickets[0].title,
            house=view.house_name,
            link=tickets_link(order_id),
            pdf=render.a4(view),
            message_id=mail_id,
            receipt=render.receipt(view),
        ),
    )
    data = {"to": view.customer_email, "tickets": len(view.tickets), "message_id": mail_id}
    insert_event(session, order_id, clock.now(), "tickets_mailed", None, data)
