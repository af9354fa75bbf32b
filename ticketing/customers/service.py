"""Customers of a cluster: written when an order is paid (orders/buyers.py, above this
package), looked up at the box office, consent changed at the counter.

Rules (docs/domain.md, Customers and consent):
- nothing reaches the customer record before the order is paid: the order keeps what the
  buyer gave until then, so a stranger who types an address and never pays changes
  nothing;
- name, phone and language change only when given, and never to the counter's anonymous
  placeholder;
- online, the checkout asks both questions every time, so the answers replace the stored
  ones (a no withdraws an earlier yes); the newsletter answer is for the house that sells;
- at the box office a clerk records a yes the customer gives; a box left alone (or a no)
  changes nothing there. A withdrawal at the counter is recorded with PATCH
  /customers/{id};
- a choice counts from when it was given: an order paid late does not undo a choice
  stated since.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import InvalidInput, NotFound
from ticketing.customers import repository as repo
from ticketing.customers.models import Customer
from ticketing.customers.schemas import ConsentIn, CustomerOut, NewsletterOut
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role

# Who may look customers up and record their consent.
LOOKUP: frozenset[Role] = frozenset({Role.BOX_OFFICE, Role.HOUSE_ADMIN, Role.CLUSTER_ADMIN})
MIN_QUERY = 2
MAX_QUERY = 100

# The name an order shows when the buyer gave none (an anonymous sale at the counter).
ANONYMOUS = "Anoniem"
# Words the box office page has sent for "no name", in its languages: never a customer's
# name.
ANONYMOUS_NAMES = frozenset({"anoniem", "anonyme", "anonymous"})


def is_anonymous(name: str | None) -> bool:
    return name is None or not name.strip() or name.strip().casefold() in ANONYMOUS_NAMES


async def shown(
    session: AsyncSession, principal: Principal, customers: list[Customer]
) -> list[CustomerOut]:
    """The customers as the principal sees them: newsletter answers of its houses only."""
    answers: dict[uuid.UUID, list[NewsletterOut]] = defaultdict(list)
    for row in await repo.newsletters(session, [c.id for c in customers], principal, LOOKUP):
        answers[row.customer_id].append(NewsletterOut.model_validate(row))
    return [
        CustomerOut.model_validate(c).model_copy(update={"newsletters": answers[c.id]})
        for c in customers
    ]


async def search(session: AsyncSession, principal: Principal, q: str) -> list[CustomerOut]:
    q = q.strip()
    if len(q) < MIN_QUERY:
        raise InvalidInput.field(
            "q", f"Type at least {MIN_QUERY} characters of a name, e-mail address or phone number."
        )
    if len(q) > MAX_QUERY:
        raise InvalidInput.field("q", f"Type at most {MAX_QUERY} characters.")
    return await shown(session, principal, await repo.search(session, q, principal, LOOKUP))


async def get(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    customer = await repo.get(session, customer_id, principal, LOOKUP, lock=lock)
    if customer is None:
        raise NotFound("Customer not found.")
    return customer


async def get_shown(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID
) -> CustomerOut:
    [out] = await shown(session, principal, [await get(session, principal, customer_id)])
    return out


async def record_consent(
    session: AsyncSession, principal: Principal, customer_id: uuid.UUID, data: ConsentIn
) -> CustomerOut:
    """A choice the customer states at the counter, dated now (a repeated yes too: it
    was given again). The newsletter answer is for one of the caller's houses."""
    customer = await get(session, principal, customer_id, lock=True)
    if data.newsletter is None and data.house_id is not None:
        raise InvalidInput.field("house_id", "A house goes with a newsletter answer only.")
    house = None
    if data.newsletter is not None:
        if data.house_id is None:
            raise InvalidInput.field(
                "house_id", "Name the house whose news the customer does or does not want."
            )
        house = await repo.own_house(session, data.house_id, customer.cluster_id, principal, LOOKUP)
        if house is None:
            raise NotFound("House not found (house_id).")
    now = clock.now()
    if data.share_in_cluster is not None:
        customer.share_in_cluster = data.share_in_cluster
        customer.share_in_cluster_at = now
        session.add(customer)
        await session.flush()
    if house is not None:
        assert data.newsletter is not None
        await repo.set_newsletter(session, customer, house, data.newsletter, now)
    # As changed, even when the caller may no longer find them (a withdrawn share).
    [out] = await shown(session, principal, [customer])
    return out
