"""How tickets reacts to the changes of the packages below it (imported by
ticketing/handlers.py at start-up)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import outbox
from ticketing.orders.signals import TicketsValid, tickets_valid
from ticketing.tickets.issuing import TOPIC as ISSUE_TICKETS


@tickets_valid.connect
async def queue_issuing(session: AsyncSession, change: TicketsValid) -> None:
    """Sign the order's new tickets after commit (a worker, from the outbox)."""
    order = change.order
    outbox.put(session, ISSUE_TICKETS, {"order_id": str(order.id)}, house_id=order.house_id)
