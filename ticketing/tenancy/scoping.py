"""The one place where reads are filtered by tenant.

Every repository builds its statements with these helpers. A row the caller may not see is
simply absent: loading it by id gives NotFound (404), never Forbidden, so ids of other
houses reveal nothing. Forbidden (403) is only for the caller's own house when the role
falls short. tests/test_code_rules.py rejects ad-hoc tenant filters elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, exists, false, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import Forbidden, NotFound
from ticketing.db.base import HouseOwned
from ticketing.tenancy.models import AuditEntry, Cluster, House, RoleAssignment, StaffUser
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE, READ, Role

T = TypeVar("T", bound=HouseOwned)
S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def scope(
    stmt: S, model: type[HouseOwned], principal: Principal, roles: Iterable[Role] = READ
) -> S:
    """Restrict stmt to rows of houses where the principal holds one of roles."""
    houses = principal.house_ids(roles)
    if houses is None:
        return stmt
    if not houses:
        return stmt.where(false())
    return stmt.where(col(model.house_id).in_(houses))


def scope_houses(stmt: S, principal: Principal, roles: Iterable[Role] = READ) -> S:
    houses = principal.house_ids(roles)
    if houses is None:
        return stmt
    if not houses:
        return stmt.where(false())
    return stmt.where(col(House.id).in_(houses))


def scope_clusters(stmt: S, principal: Principal) -> S:
    clusters = principal.cluster_ids()
    if clusters is None:
        return stmt
    if not clusters:
        return stmt.where(false())
    return stmt.where(col(Cluster.id).in_(clusters))


def scope_cluster_rows(
    stmt: S, model: type[HouseOwned], principal: Principal, roles: Iterable[Role]
) -> S:
    """Rows of every house of the clusters where the principal holds one of roles in some
    house or for the whole cluster: what a box office of the cluster may sell."""
    houses = principal.house_ids(roles)
    if houses is None:
        return stmt
    clusters = {principal.house_cluster[h] for h in houses if h in principal.house_cluster}
    clusters |= principal.cluster_ids(roles) or set()
    if not clusters:
        return stmt.where(false())
    return stmt.where(col(model.cluster_id).in_(clusters))


def scope_audit(stmt: S, principal: Principal) -> S:
    """Audit entries of the houses the principal manages; a platform admin reads them
    all, the entries without a house (a new cluster, a logout) included."""
    houses = principal.house_ids(MANAGE)
    if houses is None:
        return stmt
    if not houses:
        return stmt.where(false())
    return stmt.where(col(AuditEntry.house_id).in_(houses))


def scope_staff(stmt: S, principal: Principal) -> S:
    """Staff users visible to the principal: those holding a role in a house it manages
    or, for a cluster admin, anywhere in its cluster."""
    if principal.is_platform_admin:
        return stmt
    houses = principal.house_ids(MANAGE) or set()
    clusters = principal.cluster_ids([Role.CLUSTER_ADMIN]) or set()
    if not houses and not clusters:
        return stmt.where(false())
    conditions = []
    if houses:
        conditions.append(col(RoleAssignment.house_id).in_(houses))
    if clusters:
        conditions.append(col(RoleAssignment.cluster_id).in_(clusters))
    visible = exists(
        select(RoleAssignment.id).where(RoleAssignment.user_id == StaffUser.id, or_(*conditions))
    )
    return stmt.where(visible)


async def get_scoped(
    session: AsyncSession,
    model: type[T],
    row_id: uuid.UUID,
    principal: Principal,
    *,
    what: str,
    roles: Iterable[Role] = READ,
    lock: bool = False,
) -> T:
    """The row if the principal may see it (NotFound otherwise); with lock, locked for
    the rest of the transaction and read again after any wait for the lock."""
    stmt = scope(select(model).where(model.id == row_id), model, principal, roles)
    if lock:
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    row = (await session.exec(stmt)).first()
    if row is None:
        raise NotFound(f"{what} not found.")
    return row


async def get_house(
    session: AsyncSession, house_id: uuid.UUID, principal: Principal, *, field: str = "house_id"
) -> House:
    stmt = scope_houses(select(House).where(House.id == house_id), principal)
    house = (await session.exec(stmt)).first()
    if house is None:
        raise NotFound(f"House not found ({field}).")
    return house


def require_visible_house(
    principal: Principal, house_id: uuid.UUID, *, field: str = "house_id"
) -> None:
    """get_house's rule without the read, for paths that load the house with other rows
    (a platform admin sees every house; the read then tells whether it exists)."""
    houses = principal.house_ids(READ)
    if houses is not None and house_id not in houses:
        raise NotFound(f"House not found ({field}).")


# For plain SQL (db/raw.py): add this condition with scope_param(principal) as its parameter.
SCOPE_SQL = "(${n}::uuid[] IS NULL OR house_id = ANY(${n}::uuid[]))"


def scope_param(principal: Principal, roles: Iterable[Role] = READ) -> list[uuid.UUID] | None:
    """The houses a plain-SQL read is restricted to (None: every house), as scope() does."""
    houses = principal.house_ids(roles)
    return None if houses is None else sorted(houses)


def authorize(principal: Principal, house_id: uuid.UUID, roles: Iterable[Role] = MANAGE) -> None:
    """For a row already loaded through the scope: may the principal change it?"""
    if not principal.has(house_id, roles):
        raise Forbidden("Your role in this house does not allow this change.")
