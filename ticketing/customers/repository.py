"""Every query of customers. A customer is the cluster's, not one house's: the staff of a
house see those of their cluster who agreed to be found (share_in_cluster) and those who
first bought at that house; nobody else."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from ticketing.customers.models import Customer, CustomerNewsletter
from ticketing.db import raw
from ticketing.db.search import contains
from ticketing.tenancy.models import House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role
from ticketing.tenancy.scoping import scope_houses

SEARCH_LIMIT = 20


def visible(principal: Principal, roles: Iterable[Role]) -> ColumnElement[bool]:
    """The customers the principal may see: of the cluster of one of its houses (where it
    holds one of roles), and either shared in the cluster or first seen at one of them.
    (Two plain conditions rather than one: the first lets PostgreSQL start from the
    caller's clusters and read only their customers.)"""

    def mine() -> SelectOfScalar[uuid.UUID]:
        return scope_houses(select(House.id), principal, roles)

    in_my_cluster = mine().where(col(House.cluster_id) == col(Customer.cluster_id)).exists()
    first_at_mine = mine().where(col(House.id) == col(Customer.first_house_id)).exists()
    return and_(in_my_cluster, or_(col(Customer.share_in_cluster), first_at_mine))


async def get(
    session: AsyncSession,
    customer_id: uuid.UUID,
    principal: Principal,
    roles: Iterable[Role],
    *,
    lock: bool = False,
) -> Customer | None:
    stmt = select(Customer).where(Customer.id == customer_id, visible(principal, roles))
    if lock:
        stmt = stmt.with_for_update(of=Customer).execution_options(populate_existing=True)
    return (await session.exec(stmt)).first()


async def search(
    session: AsyncSession, q: str, principal: Principal, roles: Iterable[Role]
) -> list[Customer]:
    """Customers whose name, e-mail or phone contains q (any capitals). A phone number
    also matches by its digits alone, so "0475 12 34 56" finds "+32 475 12.34.56"."""
    matches: list[ColumnElement[bool]] = [
        contains(col(Customer.name), q),
        contains(col(Customer.email), q),
        contains(col(Customer.phone), q),
    ]
    # A national number's leading 0 is the country code's place in +32 475...
    digits = re.sub(r"\D", "", q).lstrip("0")
    if len(digits) >= 4:
        phone_digits = func.regexp_replace(col(Customer.phone), "[^0-9]", "", "g")
        matches.append(phone_digits.contains(digits))
    stmt = (
        select(Customer)
        .where(or_(*matches), visible(principal, roles))
        .order_by(func.lower(Customer.name), col(Customer.email))
        .limit(SEARCH_LIMIT)
    )
    return list((await session.exec(stmt)).all())


async def newsletters(
    session: AsyncSession,
    customer_ids: list[uuid.UUID],
    principal: Principal,
    roles: Iterable[Role],
) -> list[CustomerNewsletter]:
    """The newsletter answers of these customers given to the principal's own houses (where
    it holds one of roles): a house's list is never shown to its neighbours' staff."""
    if not customer_ids:
        return []
    stmt = scope_houses(
        select(CustomerNewsletter)
        .join(House, col(House.id) == col(CustomerNewsletter.house_id))
        .where(col(CustomerNewsletter.customer_id).in_(customer_ids))
        .order_by(col(CustomerNewsletter.customer_id), col(House.name))
        # Read again: an answer may have been written by plain SQL in this request.
        .execution_options(populate_existing=True),
        principal,
        roles,
    )
    return list((await session.exec(stmt)).all())


async def own_house(
    session: AsyncSession,
    house_id: uuid.UUID,
    cluster_id: uuid.UUID,
    principal: Principal,
    roles: Iterable[Role],
) -> House | None:
    """A house of this cluster where the principal holds one of roles."""
    stmt = scope_houses(
        select(House).where(House.id == house_id, House.cluster_id == cluster_id),
        principal,
        roles,
    )
    return (await session.exec(stmt)).first()


SET_NEWSLETTER = """
    INSERT INTO customer_newsletter (customer_id, house_id, cluster_id, subscribed, given_at)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (customer_id, house_id) DO UPDATE SET
        subscribed = EXCLUDED.subscribed, given_at = EXCLUDED.given_at
"""


async def set_newsletter(
    session: AsyncSession, customer: Customer, house: House, subscribed: bool, now: datetime
) -> None:
    """Record the customer's answer for this house, given now."""
    connection = await raw.connection(session)
    await connection.execute(
        SET_NEWSLETTER, customer.id, house.id, house.cluster_id, subscribed, now
    )


# An order's buyer, written as the cluster's customer when the order is paid, and the order
# linked to it: one round trip. Parameters left NULL were not given and leave what is
# stored: a name ($6), a phone ($8), a language ($9), the cluster choice ($10) and the
# newsletter answer for the selling house ($11). A choice counts only when it was given
# after the stored one ($12, the order's time): an order paid late does not undo a choice
# stated since. first_house_id is only ever the first paid order's house.
NEWER = """EXCLUDED.share_in_cluster_at >= coalesce(c.share_in_cluster_at, '-infinity')"""
UPSERT_BUYER = f"""
    WITH buyer AS (
        INSERT INTO customer AS c (id, created_at, updated_at, cluster_id, first_house_id,
                                   name, email, phone, language, share_in_cluster,
                                   share_in_cluster_at)
        VALUES ($2, $3, $3, $4, $5, coalesce($6::text, ''), $7, $8, coalesce($9::text, 'nl'),
                coalesce($10::boolean, false),
                CASE WHEN $10::boolean IS NOT NULL THEN $12::timestamptz END)
        ON CONFLICT (cluster_id, lower(email)) DO UPDATE SET
            updated_at = EXCLUDED.updated_at,
            name = coalesce($6::text, c.name),
            phone = coalesce(EXCLUDED.phone, c.phone),
            language = coalesce($9::text, c.language),
            share_in_cluster = CASE WHEN {NEWER}
                THEN EXCLUDED.share_in_cluster ELSE c.share_in_cluster END,
            share_in_cluster_at = CASE WHEN {NEWER}
                THEN EXCLUDED.share_in_cluster_at ELSE c.share_in_cluster_at END
        RETURNING id
    ), newsletter AS (
        INSERT INTO customer_newsletter AS n (customer_id, house_id, cluster_id, subscribed,
                                              given_at)
        SELECT id, $5, $4, $11::boolean, $12::timestamptz FROM buyer
        WHERE $11::boolean IS NOT NULL
        ON CONFLICT (customer_id, house_id) DO UPDATE SET
            subscribed = EXCLUDED.subscribed, given_at = EXCLUDED.given_at
            WHERE n.given_at <= EXCLUDED.given_at
    )
    UPDATE customer_order SET customer_id = (SELECT id FROM buyer) WHERE id = $1
    RETURNING customer_id
"""


async def upsert_buyer(
    session: AsyncSession,
    *,
    order_id: uuid.UUID,
    now: datetime,
    cluster_id: uuid.UUID,
    house_id: uuid.UUID,
    name: str | None,
    email: str,
    phone: str | None,
    language: str | None,
    share_in_cluster: bool | None,
    newsletter: bool | None,
    given_at: datetime,
) -> uuid.UUID:
    """Insert or update the customer of this e-mail address in the cluster (one atomic
    statement: two payments for a new address at once make one customer), record the
    newsletter answer for house_id, and link the order. None leaves a stored value as it
    is. Returns the customer's id."""
    connection = await raw.connection(session)
    customer_id: uuid.UUID = await connection.fetchval(
        UPSERT_BUYER,
        order_id,
        uuid.uuid4(),
        now,
        cluster_id,
        house_id,
        name,
        email,
        phone,
        language,
        share_in_cluster,
        newsletter,
        given_at,
    )
    return customer_id
