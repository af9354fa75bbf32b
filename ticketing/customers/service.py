"""Customers of a cluster: kept by checkout, looked up at the box office, consent changed
at the counter.

Consent rule (docs/domain.md, Customers and consent):
- online, the checkout asks both questions every time, so the buyer's answers at this
  order replace the stored ones (a no withdraws an earlier yes) and are dated now;
- at the box office a clerk records a yes the customer gives; an unticked box there
  means "not asked" and changes nothing. A withdrawal at the counter is recorded with
  PATCH /customers/{id}.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock
from ticketing.core.errors import InvalidInput, NotFound
from ticketing.customers import repository as repo
from ticketing.customers.models import Customer
from ticketing.customers.schemas import ConsentIn
from ticketing.inventory.models import Channel
from ticketing.orders.models import Order
from ticketing.orders.schemas import CustomerIn
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role

# Who may look customers up and record their consent.
LOOKUP: frozenset[Role] = frozenset({Role.BOX_OFFICE, Role.HOUSE_ADMIN, Role.CLUSTER_ADMIN})
MIN_QUERY = 2
MAX_QUERY = 100


def _given(chosen: bool, replaces: bool, now: datetime) -> datetime | None:
    """When this order gives the choice (None: it leaves the stored one as it is)."""
    return now if replaces or chosen else None


async def remember_buyer(
    session: AsyncSession, order: Order, buyer: CustomerIn, channel: str
) -> uuid.UUID | None:
    """Keep the buyer of a stored order as the cluster's customer of that e-mail address
    and link the order to it (one statement). No e-mail address, no customer."""
    if buyer.email is None:
        return None
    replaces = channel == Channel.ONLINE
    now = order.created_at
    return await repo.upsert_buyer(
        session,
        order_id=order.id,
        now=now,
        cluster_id=order.cluster_id,
        house_id=order.house_id,
        name=buyer.name,
        email=buyer.email,
        phone=buyer.phone,
        language=buyer.language,
        share_in_cluster=buyer.share_in_cluster,
        share_in_cluster_at=_given(buyer.share_in_cluster, replaces, now),
        newsletter=buyer.newsletter,
        newsletter_at=_given(buyer.newsletter, replaces, now),
    )


async def search(session: AsyncSession, principal: Principal, q: str) -> list[Customer]:
    q = q.strip()
    if len(q) < MIN_QUERY:
        raise InvalidInput.field(
            "q", f"Type at least {MIN_QUERY} characters of a name, e-mail address or phone number."
        )
    if len(q) > MAX_QUERY:
        raise InvalidInput.field("q", f"Type at most {MAX_QUERY} characters.")
    return await repo.search(session, q, principal, LOOKUP)


async def get(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    customer = await repo.get(session, customer_id, principal, LOOKUP, lock=lock)
    if customer is None:
        raise NotFound("Customer not found.")
    return customer


async def record_consent(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, data: ConsentIn
) -> Customer:
    """A choice the customer states at the counter, dated now (a repeated yes too: it
    was given again)."""
    customer = await get(session, principal, customer_id, lock=True)
    now = clock.now()
    if data.share_in_cluster is not None:
        customer.share_in_cluster = data.share_in_cluster
        customer.share_in_cluster_at = now
    if data.newsletter is not None:
        customer.newsletter = data.newsletter
        customer.newsletter_at = now
    session.add(customer)
    await session.flush()
    return customer
