"""Issuing the tickets of a paid order, carried out by a worker from the outbox.

Today issuing stamps each valid ticket with the moment it was issued, once; the signed QR
codes, the PDF and the mail are added to this same handler by the tickets issue.
"""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock, outbox
from ticketing.orders.models import OrderEvent, Ticket, TicketStatus

TOPIC = "tickets.issue"


@outbox.handler(TOPIC)
async def issue_order(session: AsyncSession, message: outbox.OutboxMessage) -> None:
    order_id = uuid.UUID(message.payload["order_id"])
    result = await session.exec(
        update(Ticket)
        .where(
            col(Ticket.order_id) == order_id,
            col(Ticket.status) == TicketStatus.VALID,
            col(Ticket.issued_at).is_(None),
        )
        .values(issued_at=clock.now())
    )
    issued = int(result.rowcount or 0)
    if issued:
        session.add(OrderEvent(order_id=order_id, kind="tickets_issued", data={"tickets": issued}))
