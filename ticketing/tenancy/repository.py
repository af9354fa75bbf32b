"""Every tenancy query. Lists go through the scoping helper; the lookups here that are not
scoped serve authentication (who is this?), which comes before any tenant is known."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.tenancy.models import (
    ApiToken,
    AuditEntry,
    AuthSession,
    Cluster,
    House,
    RoleAssignment,
    StaffUser,
)
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import (
    scope,
    scope_audit,
    scope_clusters,
    scope_houses,
    scope_staff,
)

# --- authentication lookups (before a principal exists) ---------------------------------


async def user_by_email(session: AsyncSession, email: str) -> StaffUser | None:
    stmt = select(StaffUser).where(StaffUser.email == email.strip().lower())
    return (await session.exec(stmt)).first()


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> StaffUser | None:
    """The caller's own account (principal.user_id): no scope needed."""
    return await session.get(StaffUser, user_id)


async def live_session(
    session: AsyncSession, session_id: uuid.UUID, now: datetime
) -> tuple[AuthSession, StaffUser] | None:
    stmt = (
        select(AuthSession, StaffUser)
        .join(StaffUser, col(StaffUser.id) == AuthSession.user_id)
        .where(
            AuthSession.id == session_id,
            col(AuthSession.revoked_at).is_(None),
            AuthSession.expires_at > now,
            col(StaffUser.is_active).is_(True),
        )
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    auth_session, user = row
    return auth_session, user


async def session_by_refresh_hash(session: AsyncSession, refresh_hash: str) -> AuthSession | None:
    stmt = select(AuthSession).where(AuthSession.refresh_hash == refresh_hash).with_for_update()
    return (await session.exec(stmt)).first()


async def api_token_by_hash(session: AsyncSession, token_hash: str) -> ApiToken | None:
    stmt = select(ApiToken).where(ApiToken.token_hash == token_hash)
    return (await session.exec(stmt)).first()


@dataclass(frozen=True)
class SessionRole:
    """A live session's account and one of its effective roles (role None: it has none)."""

    user_id: uuid.UUID
    email: str
    is_platform_admin: bool
    role: str | None
    cluster_id: uuid.UUID | None
    assigned_house_id: uuid.UUID | None  # None: the role is the whole cluster's
    house_id: uuid.UUID | None


SESSION_PRINCIPAL = """
    SELECT u.id AS user_id, u.email, u.is_platform_admin, r.role, r.cluster_id,
           r.house_id AS assigned_house_id, coalesce(r.house_id, h.id) AS house_id
    FROM auth_session s
    JOIN staff_user u ON u.id = s.user_id
    LEFT JOIN role_assignment r ON r.user_id = u.id
    LEFT JOIN house h ON r.house_id IS NULL AND h.cluster_id = r.cluster_id
    WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3
      AND u.is_active
"""


async def session_principal(
    session: AsyncSession, session_id: uuid.UUID, user_id: uuid.UUID, now: datetime
) -> list[SessionRole]:
    """A live session of an active account with its roles: one row per effective role, or
    one row with no role. A cluster-wide role yields one row per house of its cluster.

    Every authenticated request runs this, so it is one plain statement (db/raw.py)."""
    connection = await raw.single(session)
    rows = await connection.fetch(SESSION_PRINCIPAL, session_id, user_id, now)
    return [SessionRole(**r) for r in rows]


async def house_clusters(
    session: AsyncSession, house_ids: set[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    if not house_ids:
        return {}
    stmt = select(House.id, House.cluster_id).where(col(House.id).in_(house_ids))
    return dict((await session.exec(stmt)).all())  # id -> cluster_id


# --- scoped reads ------------------------------------------------------------------------


async def list_clusters(session: AsyncSession, principal: Principal) -> list[Cluster]:
    stmt = scope_clusters(select(Cluster).order_by(Cluster.name), principal)
    return list((await session.exec(stmt)).all())


async def get_cluster(
    session: AsyncSession, cluster_id: uuid.UUID, principal: Principal
) -> Cluster | None:
    stmt = scope_clusters(select(Cluster).where(Cluster.id == cluster_id), principal)
    return (await session.exec(stmt)).first()


async def list_houses(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID | None = None
) -> list[House]:
    stmt = select(House).order_by(House.name)
    if cluster_id is not None:
        stmt = stmt.where(House.cluster_id == cluster_id)
    stmt = scope_houses(stmt, principal)
    return list((await session.exec(stmt)).all())


async def list_staff(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID | None = None
) -> list[StaffUser]:
    stmt = select(StaffUser).order_by(StaffUser.name)
    if house_id is not None:
        in_house = select(RoleAssignment.id).where(
            RoleAssignment.user_id == StaffUser.id,
            (col(RoleAssignment.house_id) == house_id)
            | (
                col(RoleAssignment.house_id).is_(None)
                & (
                    RoleAssignment.cluster_id
                    == select(House.cluster_id).where(House.id == house_id).scalar_subquery()
                )
            ),
        )
        stmt = stmt.where(in_house.exists())
    stmt = scope_staff(stmt, principal)
    return list((await session.exec(stmt)).all())


async def get_staff(
    session: AsyncSession, user_id: uuid.UUID, principal: Principal
) -> StaffUser | None:
    stmt = scope_staff(select(StaffUser).where(StaffUser.id == user_id), principal)
    return (await session.exec(stmt)).first()


async def roles_of(session: AsyncSession, user_ids: list[uuid.UUID]) -> list[RoleAssignment]:
    """Role assignments of users already loaded through scope_staff."""
    if not user_ids:
        return []
    stmt = (
        select(RoleAssignment)
        .where(col(RoleAssignment.user_id).in_(user_ids))
        .order_by(col(RoleAssignment.created_at))
    )
    return list((await session.exec(stmt)).all())


async def get_role_assignment(
    session: AsyncSession, assignment_id: uuid.UUID, user_id: uuid.UUID
) -> RoleAssignment | None:
    stmt = select(RoleAssignment).where(
        RoleAssignment.id == assignment_id, RoleAssignment.user_id == user_id
    )
    return (await session.exec(stmt)).first()


async def list_api_tokens(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID | None = None
) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(col(ApiToken.created_at).desc())
    if house_id is not None:
        stmt = stmt.where(ApiToken.house_id == house_id)
    stmt = scope(stmt, ApiToken, principal, MANAGE)
    return list((await session.exec(stmt)).all())


async def audit_entries(
    session: AsyncSession,
    principal: Principal,
    *,
    house_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> list[tuple[AuditEntry, str | None]]:
    """Newest first, with the e-mail address of the account that wrote (if any)."""
    joined = select(AuditEntry, StaffUser.email).outerjoin(
        StaffUser, col(StaffUser.id) == col(AuditEntry.user_id)
    )
    stmt = scope_audit(joined, principal)
    if house_id is not None:
        stmt = stmt.where(col(AuditEntry.house_id) == house_id)
    if user_id is not None:
        stmt = stmt.where(col(AuditEntry.user_id) == user_id)
    if since is not None:
        stmt = stmt.where(col(AuditEntry.at) >= since)
    if until is not None:
        stmt = stmt.where(col(AuditEntry.at) < until)
    stmt = stmt.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id)).limit(limit).offset(offset)
    return [(entry, email) for entry, email in (await session.exec(stmt)).all()]
