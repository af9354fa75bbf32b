"""The buyer of a paid order becomes the cluster's customer (the rules are in
ticketing/customers/service.py and docs/domain.md, Customers and consent)."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.customers import repository as customers_repo
from ticketing.customers.service import is_anonymous
from ticketing.db import raw
from ticketing.inventory.models import Channel
from ticketing.orders.models import Order


async def remember_buyer(session: AsyncSession, order: Order) -> uuid.UUID | None:
    """The buyer of an order that is being paid, as the cluster's customer of its e-mail
    address, and the order linked to it (one statement). No e-mail address, no customer."""
    if order.customer_email is None:
        return None
    online = order.channel == Channel.ONLINE
    if online and order.total_cents == 0:
        # Nothing was paid, so nothing shows the e-mail address is the buyer's: a free
        # online order would let anyone write any address's details and consent.
        return None

    def counts(choice: bool | None) -> bool | None:
        # Online the form asks every time; at the counter only a yes is recorded.
        return choice if online or choice else None

    customer_id = await customers_repo.upsert_buyer(
        session,
        order_id=order.id,
        now=clock.now(),
        cluster_id=order.cluster_id,
        house_id=order.house_id,
        name=None if is_anonymous(order.customer_name) else order.customer_name,
        email=order.customer_email,
        phone=order.customer_phone,
        language=order.language if order.language_given else None,
        share_in_cluster=counts(order.share_in_cluster),
        newsletter=counts(order.newsletter),
        # The choices were given with the order.
        given_at=order.created_at,
    )
    raw.mirror(order, customer_id=customer_id)
    return customer_id
