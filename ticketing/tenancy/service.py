"""Tenancy use cases. Services flush, never commit: the caller's unit of work does."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.conflicts import flush_or_conflict
from ticketing.core.errors import FieldError, Forbidden, InvalidInput, NotFound
from ticketing.core.security import hash_password, new_api_token, sha256_hex
from ticketing.tenancy import repository as repo
from ticketing.tenancy.auth import forget_principals
from ticketing.tenancy.models import ApiToken, Cluster, House, RoleAssignment, StaffUser
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE, TOKEN_ROLES, Role
from ticketing.tenancy.schemas import (
    ApiTokenIn,
    ClusterIn,
    ClusterPatch,
    HouseIn,
    HousePatch,
    RoleGrant,
    StaffIn,
    StaffPatch,
)
from ticketing.tenancy.scoping import authorize, get_house, get_scoped
from ticketing.tenancy.signals import HouseChanged, house_changed


def _require_platform_admin(principal: Principal) -> None:
    if not principal.is_platform_admin:
        raise Forbidden("Only a platform admin can do this.")


# --- clusters ------------------------------------------------------------------------------


async def get_cluster(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> Cluster:
    cluster = await repo.get_cluster(session, cluster_id, principal)
    if cluster is None:
        raise NotFound("Cluster not found.")
    return cluster


async def create_cluster(session: AsyncSession, principal: Principal, data: ClusterIn) -> Cluster:
    _require_platform_admin(principal)
    cluster = Cluster(slug=data.slug, name=data.name)
    session.add(cluster)
    await flush_or_conflict(
        session, "slug", f"A cluster with the short name {data.slug!r} exists already."
    )
    return cluster


async def update_cluster(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, data: ClusterPatch
) -> Cluster:
    cluster = await get_cluster(session, principal, cluster_id)
    if not principal.has_in_cluster(cluster.id, [Role.CLUSTER_ADMIN]):
        raise Forbidden("Only a cluster admin can change the cluster.")
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(cluster, key, value)
    session.add(cluster)
    await session.flush()
    return cluster


# --- houses --------------------------------------------------------------------------------


async def create_house(session: AsyncSession, principal: Principal, data: HouseIn) -> House:
    cluster = await repo.get_cluster(session, data.cluster_id, principal)
    if cluster is None:
        raise NotFound("Cluster not found (cluster_id).")
    if not principal.has_in_cluster(cluster.id, [Role.CLUSTER_ADMIN]):
        raise Forbidden("Only a cluster admin can add a house to the cluster.")
    house = House(**data.model_dump())
    session.add(house)
    await flush_or_conflict(
        session,
        "slug",
        f"The short name {data.slug!r} or the order prefix {data.order_code_prefix!r} is taken.",
    )
    forget_principals(session)  # cluster-wide roles reach the new house
    await house_changed.send(session, HouseChanged(house))
    return house


async def update_house(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, data: HousePatch
) -> House:
    house = await get_house(session, house_id, principal)
    authorize(principal, house.id, MANAGE)
    if "commission_bp" in data.model_fields_set and not principal.has_in_cluster(
        house.cluster_id, [Role.CLUSTER_ADMIN]
    ):
        raise Forbidden(
            "Only a cluster admin sets a house's settlement commission (commission_bp).",
            errors=[FieldError("commission_bp", "only a cluster admin may set it")],
        )
    for key, value in data.model_dump(exclude_unset=True).items():
        setattr(house, key, value)
    session.add(house)
    await session.flush()
    await house_changed.send(session, HouseChanged(house))
    return house


# --- staff ---------------------------------------------------------------------------------


async def _resolve_grant(
    session: AsyncSession, principal: Principal, grant: RoleGrant, index: int
) -> RoleAssignment:
    field = f"roles[{index}]"
    if grant.house_id is not None:
        house = await get_house(session, grant.house_id, principal, field=f"{field}.house_id")
        if not principal.has(house.id, MANAGE):
            raise Forbidden("Only a house admin can give roles in this house.")
        return RoleAssignment(
            user_id=uuid.uuid4(), role=grant.role, cluster_id=house.cluster_id, house_id=house.id
        )
    assert grant.cluster_id is not None
    cluster = await repo.get_cluster(session, grant.cluster_id, principal)
    if cluster is None:
        raise NotFound(f"Cluster not found ({field}.cluster_id).")
    if not principal.has_in_cluster(cluster.id, [Role.CLUSTER_ADMIN]):
        raise Forbidden("Only a cluster admin can give cluster-wide roles.")
    return RoleAssignment(
        user_id=uuid.uuid4(), role=grant.role, cluster_id=cluster.id, house_id=None
    )


def visible_role(principal: Principal, ra: RoleAssignment) -> bool:
    if principal.is_platform_admin:
        return True
    if ra.house_id is not None:
        return principal.has(ra.house_id, MANAGE)
    return principal.has_in_cluster(ra.cluster_id, [Role.CLUSTER_ADMIN])


async def create_staff(session: AsyncSession, principal: Principal, data: StaffIn) -> StaffUser:
    """Create a staff account, or give an existing account (same e-mail) the new roles:
    a freelancer who works for two houses keeps one login."""
    grants = [await _resolve_grant(session, principal, g, i) for i, g in enumerate(data.roles)]
    user = await repo.user_by_email(session, data.email)
    if user is None:
        user = StaffUser(
            email=data.email,
            name=data.name,
            password_hash=hash_password(data.password),
            language=data.language,
        )
        session.add(user)
        await flush_or_conflict(
            session, "email", "An account with this e-mail address exists already."
        )
    for ra in grants:
        ra.user_id = user.id
        session.add(ra)
    await flush_or_conflict(session, "roles", "This person already has one of these roles.")
    forget_principals(session)  # an existing account may have gained roles
    return user


async def get_staff(session: AsyncSession, principal: Principal, user_id: uuid.UUID) -> StaffUser:
    user = await repo.get_staff(session, user_id, principal)
    if user is None:
        raise NotFound("Staff member not found.")
    return user


async def update_staff(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, data: StaffPatch
) -> StaffUser:
    user = await get_staff(session, principal, user_id)
    changes = data.model_dump(exclude_unset=True)
    if "password" in changes:
        if user.id != principal.user_id and not principal.is_platform_admin:
            # An admin of one house must not take over an account shared with other houses.
            raise Forbidden("Only the person themselves can change their password.")
        user.password_hash = hash_password(changes.pop("password"))
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    await session.flush()
    forget_principals(session)
    return user


async def grant_role(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, grant: RoleGrant
) -> StaffUser:
    user = await get_staff(session, principal, user_id)
    ra = await _resolve_grant(session, principal, grant, 0)
    ra.user_id = user.id
    session.add(ra)
    await flush_or_conflict(session, "role", "This person already has this role.")
    forget_principals(session)
    return user


async def revoke_role(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, assignment_id: uuid.UUID
) -> None:
    user = await get_staff(session, principal, user_id)
    ra = await repo.get_role_assignment(session, assignment_id, user.id)
    if ra is None or not visible_role(principal, ra):
        raise NotFound("Role not found.")
    await session.delete(ra)
    await session.flush()
    forget_principals(session)


# --- API tokens ----------------------------------------------------------------------------


async def create_api_token(
    session: AsyncSession, principal: Principal, data: ApiTokenIn
) -> tuple[ApiToken, str]:
    house = await get_house(session, data.house_id, principal)
    authorize(principal, house.id, MANAGE)
    bad = [i for i, r in enumerate(data.roles) if r not in TOKEN_ROLES]
    if bad:
        raise InvalidInput(
            "An API token cannot carry an admin role.",
            errors=[
                FieldError(f"roles[{i}]", "Allowed: box_office, scanner, finance.") for i in bad
            ],
        )
    if data.expires_at is not None and data.expires_at <= clock.now():
        raise InvalidInput.field("expires_at", "The expiry date must lie in the future.")
    raw = new_api_token()
    token = ApiToken(
        house_id=house.id,
        cluster_id=house.cluster_id,
        name=data.name,
        kind=data.kind,
        roles=sorted(set(data.roles)),
        token_prefix=raw[:12],
        token_hash=sha256_hex(raw),
        created_by_id=principal.user_id,
        expires_at=data.expires_at,
    )
    session.add(token)
    await session.flush()
    return token, raw


async def revoke_api_token(
    session: AsyncSession, principal: Principal, token_id: uuid.UUID
) -> ApiToken:
    token = await get_scoped(session, ApiToken, token_id, principal, what="API token", roles=MANAGE)
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.add(token)
        await session.flush()
        forget_principals(session)
    return token
