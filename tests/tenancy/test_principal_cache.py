"""Each API process remembers a bearer token's principal for a few seconds: changes made
through the process apply at once, changes it cannot see (another process) within the
cache's seconds, and an entry never outlives its token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.settings import Settings
from ticketing.tenancy.models import AuthSession
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.principal_cache import MAX_ENTRIES, PrincipalCache
from ticketing.tenancy.roles import Role


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


async def test_a_change_the_process_did_not_make_counts_after_the_cache_seconds(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE]
    start = clock.now()
    clock.set_clock(lambda: start)
    await ok(await client.get("/auth/me", headers=clerk.headers), 200)
    # Another API process ends the session: this process is not told.
    await db.exec(  # type: ignore[call-overload]
        update(AuthSession).where(AuthSession.user_id == clerk.user.id).values(revoked_at=start)
    )
    await db.commit()
    seconds = settings.auth.principal_cache_seconds
    assert seconds > 0
    clock.set_clock(lambda: start + timedelta(seconds=seconds / 2))
    await ok(await client.get("/auth/me", headers=clerk.headers), 200)
    clock.set_clock(lambda: start + timedelta(seconds=seconds))
    assert_problem(await client.get("/auth/me", headers=clerk.headers), 401)


async def test_without_the_cache_every_request_reads_the_session(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    settings.auth.principal_cache_seconds = 0
    try:
        clerk = tenant.staff[Role.BOX_OFFICE]
        await ok(await client.get("/auth/me", headers=clerk.headers), 200)
        await db.exec(  # type: ignore[call-overload]
            update(AuthSession)
            .where(AuthSession.user_id == clerk.user.id)
            .values(revoked_at=clock.now())
        )
        await db.commit()
        assert_problem(await client.get("/auth/me", headers=clerk.headers), 401)
    finally:
        settings.auth.principal_cache_seconds = type(settings.auth)().principal_cache_seconds


async def test_a_role_taken_away_through_the_api_applies_at_once(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE]
    admin = tenant.staff[Role.HOUSE_ADMIN]
    till = {"house_id": str(tenant.house.id), "float_cents": 0}
    await ok(await client.post("/till/open", headers=clerk.headers, json=till))
    me = await ok(await client.get("/auth/me", headers=clerk.headers), 200)
    (role,) = me["roles"]
    gone = await client.delete(f"/staff/{clerk.user.id}/roles/{role['id']}", headers=admin.headers)
    assert gone.status_code == 204
    # Without a role in the house, the house is not even visible to them any more (and the
    # answer is not the 409 of an already open till).
    assert_problem(await client.post("/till/open", headers=clerk.headers, json=till), 404)


def _principal() -> Principal:
    return Principal(user_id=None, email="clerk@example.test")


def test_an_entry_ends_at_its_time_and_the_cache_stays_bounded() -> None:
    cache = PrincipalCache(MAX_ENTRIES)
    now = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    principal = _principal()
    cache.put("token", principal, now + timedelta(seconds=2), generation=cache.generation)
    assert cache.get("token", now + timedelta(seconds=1)) is principal
    assert cache.get("token", now + timedelta(seconds=2)) is None
    assert len(cache) == 0
    for n in range(MAX_ENTRIES):
        cache.put(f"t{n}", principal, now + timedelta(seconds=5), generation=cache.generation)
    assert len(cache) == MAX_ENTRIES
    cache.put("one more", principal, now + timedelta(seconds=5), generation=cache.generation)
    assert len(cache) == MAX_ENTRIES  # the oldest made room
    assert cache.get("t0", now) is None
    assert cache.get("one more", now) is principal
    cache.clear()
    assert cache.get("one more", now) is None


def test_an_answer_read_before_a_clear_is_not_kept() -> None:
    """A request reads the session, a logout commits and clears the cache, then the
    request would store what it read: it must not."""
    cache = PrincipalCache(MAX_ENTRIES)
    now = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
    read_at = cache.generation
    cache.clear()  # the logout commits meanwhile
    cache.put("token", _principal(), now + timedelta(seconds=5), generation=read_at)
    assert cache.get("token", now) is None
