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

from ticketing.customers.models import Customer
from ticketing.db import raw
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


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search(
    session: AsyncSession, q: str, principal: Principal, roles: Iterable[Role]
) -> list[Customer]:
    """Customers whose name, e-mail or phone contains q (any capitals). A phone number
    also matches by its digits alone, so "0475 12 34 56" finds "+32 475 12.34.56"."""
    like = _like(q)
    matches: list[ColumnElement[bool]] = [
        col(Customer.name).ilike(like, escape="\\"),
        col(Customer.email).ilike(like, escape="\\"),
        col(Customer.phone).ilike(like, escape="\\"),
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


# The buyer of a new order as the cluster's customer, and the order linked to it, in one
# round trip. A choice is given at this order when its time is set ($11, $13); otherwise
# the stored one stays. first_house_id is only ever the first order's house.
UPSERT_BUYER = """
    WITH buyer AS (
        INSERT INTO customer AS c (id, created_at, updated_at, cluster_id, first_house_id,
                                   name, email, phone, language, share_in_cluster,
                                   share_in_cluster_at, newsletter, newsletter_at)
        VALUES ($2, $3, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        ON CONFLICT (cluster_id, lower(email)) DO UPDATE SET
            updated_at = EXCLUDED.updated_at,
            name = EXCLUDED.name,
            phone = coalesce(EXCLUDED.phone, c.phone),
            language = EXCLUDED.language,
            share_in_cluster = CASE WHEN EXCLUDED.share_in_cluster_at IS NULL
                THEN c.share_in_cluster ELSE EXCLUDED.share_in_cluster END,
            share_in_cluster_at = coalesce(EXCLUDED.share_in_cluster_at, c.share_in_cluster_at),
            newsletter = CASE WHEN EXCLUDED.newsletter_at IS NULL
                THEN c.newsletter ELSE EXCLUDED.newsletter END,
            newsletter_at = coalesce(EXCLUDED.newsletter_at, c.newsletter_at)
        RETURNING id
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
    name: str,
    email: str,
    phone: str | None,
    language: str,
    share_in_cluster: bool,
    share_in_cluster_at: datetime | None,
    newsletter: bool,
    newsletter_at: datetime | None,
) -> uuid.UUID:
    """Insert or update the customer of this e-mail address in the cluster (one atomic
    statement: two checkouts of a new address at once make one customer) and link the
    order, which must be stored already. Returns the customer's id."""
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
        share_in_cluster_at,
        newsletter,
        newsletter_at,
    )
    return customer_id
