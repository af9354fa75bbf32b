"""Test helpers: build tenants, staff and tokens directly in the database."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.security import encode_access_token, hash_password, new_secret, sha256_hex
from ticketing.tenancy.models import AuthSession, Cluster, House, RoleAssignment, StaffUser
from ticketing.tenancy.roles import Role

JWT_SECRET = "test-secret-" + "x" * 32
TICKETS_SECRET = "test-tickets-" + "t" * 32
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def prefix_code() -> str:
    n = next(_counter)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "T" + letters[n % 26] + letters[(n // 26) % 26] + letters[(n // 676) % 26]


@dataclass
class Staff:
    user: StaffUser
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Tenant:
    cluster: Cluster
    house: House
    staff: dict[str, Staff] = field(default_factory=dict)


async def make_user(
    session: AsyncSession,
    *,
    roles: list[tuple[Role, Cluster, House | None]] = (),  # type: ignore[assignment]
    platform_admin: bool = False,
    email: str | None = None,
) -> Staff:
    user = StaffUser(
        email=email or f"{unique('user')}@example.test",
        name="Test User",
        password_hash=_PASSWORD_HASH,
        is_platform_admin=platform_admin,
    )
    session.add(user)
    await session.flush()
    for role, cluster, house in roles:
        session.add(
            RoleAssignment(
                user_id=user.id,
                role=role,
                cluster_id=cluster.id,
                house_id=house.id if house else None,
            )
        )
    auth = AuthSession(
        user_id=user.id,
        refresh_hash=sha256_hex(new_secret()),
        expires_at=clock.now() + timedelta(days=30),
    )
    session.add(auth)
    await session.flush()
    token = encode_access_token(
        secret=JWT_SECRET, user_id=user.id, session_id=auth.id, now=clock.now(), minutes=60
    )
    return Staff(user, token)


async def make_tenant(session: AsyncSession, *, cluster: Cluster | None = None) -> Tenant:
    if cluster is None:
        cluster = Cluster(slug=unique("cl"), name="Test cluster")
        session.add(cluster)
        await session.flush()
    house = House(
        cluster_id=cluster.id,
        slug=unique("house"),
        name="Test house",
        order_code_prefix=prefix_code(),
    )
    session.add(house)
    await session.flush()
    tenant = Tenant(cluster, house)
    for role in (Role.HOUSE_ADMIN, Role.BOX_OFFICE, Role.SCANNER, Role.FINANCE):
        tenant.staff[role] = await make_user(session, roles=[(role, cluster, house)])
    tenant.staff[Role.CLUSTER_ADMIN] = await make_user(
        session, roles=[(Role.CLUSTER_ADMIN, cluster, None)]
    )
    await session.commit()
    return tenant


def assert_problem(
    response: httpx.Response, status: int, field: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert any(f == field or f.endswith("." + field) or f.startswith(field) for f in fields), (
            body
        )
    return body
