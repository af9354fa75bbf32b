"""The shop's checkout: a buyer's basket becomes one order."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.inventory import holds
from ticketing.inventory.models import Channel
from ticketing.orders import lifecycle
from ticketing.orders.checkout import CheckedOut, checkout
from ticketing.orders.schemas import OrderIn


async def check_out_basket(session: AsyncSession, data: OrderIn) -> CheckedOut:
    """The order of the basket, locked so that it becomes one order only; a free one is
    paid at once."""
    hold = await holds.online_hold(session, data.hold_id, lock=True)
    done = await checkout(session, hold, data, channel=Channel.ONLINE, actor="buyer")
    if done.order.total_cents == 0:
        await lifecycle.mark_paid(
            session, done.order, actor="buyer", tickets=done.tickets, method=None, days=done.days
        )
    return done
