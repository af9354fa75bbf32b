"""Each API process reuses what it read of a performance on sale for a moment (the sale
target): a change made through the process applies at once, one it cannot see (another
process, a script) within the cache's seconds, and 0 switches the cache off. Places are
never cached: the seats below are taken by the database every time."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok
from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import Performance
from ticketing.inventory import repository
from ticketing.tenancy.roles import Role


@pytest.fixture
def moments(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's clock, moved by the test: now is the last moment in the list."""
    now = [1000.0]
    monkeypatch.setattr(repository, "monotonic", lambda: now[-1])
    return now


async def hold(client: httpx.AsyncClient, performance: dict[str, Any], seat: str) -> httpx.Response:
    return await client.post(
        "/public/holds", json={"performance_id": performance["id"], "seats": [seat]}
    )


async def set_status_behind_our_back(db: AsyncSession, performance_id: str, status: str) -> None:
    await db.exec(  # type: ignore[call-overload]
        update(Performance)
        .where(Performance.id == uuid.UUID(performance_id))  # type: ignore[arg-type]
        .values(status=status)
    )
    await db.commit()


async def test_a_change_through_this_process_applies_at_once(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any], moments: list[float]
) -> None:
    assert repository.sale_target_seconds() > 0
    await ok(await hold(client, performance, "STALLS/1/1"))
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"status": "draft"},
        ),
        200,
    )
    assert_problem(await hold(client, performance, "STALLS/1/2"), 409)


async def test_a_change_the_process_did_not_make_counts_after_the_cache_seconds(
    client: httpx.AsyncClient, db: AsyncSession, performance: dict[str, Any], moments: list[float]
) -> None:
    await ok(await hold(client, performance, "STALLS/1/1"))
    await set_status_behind_our_back(db, performance["id"], "draft")
    moments.append(moments[-1] + repository.sale_target_seconds() / 2)
    await ok(await hold(client, performance, "STALLS/1/2"))
    # The seat itself is still decided by the database: a taken seat stays taken.
    assert_problem(await hold(client, performance, "STALLS/1/2"), 409)
    moments.append(moments[-1] + repository.sale_target_seconds())
    refused = await hold(client, performance, "STALLS/1/3")
    assert_problem(refused, 409)
    assert "not on sale" in refused.json()["detail"]


async def test_without_the_cache_every_hold_reads_the_performance(
    client: httpx.AsyncClient,
    db: AsyncSession,
    performance: dict[str, Any],
    moments: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(repository, "sale_target_seconds", lambda: 0.0)
    await ok(await hold(client, performance, "STALLS/1/1"))
    await set_status_behind_our_back(db, performance["id"], "draft")
    assert_problem(await hold(client, performance, "STALLS/1/2"), 409)
    assert len(repository.SALE_TARGETS) == 0


def test_an_answer_read_before_a_clear_is_not_kept() -> None:
    cache = repository.SALE_TARGETS.__class__(max_entries=2)
    generation = cache.generation
    cache.clear()  # a change committed while the answer was being read
    cache.put("key", "stale", 10.0, generation=generation)
    assert cache.get("key", 1.0) is None
    cache.put("key", "fresh", 10.0, generation=cache.generation)
    assert cache.get("key", 1.0) == "fresh"
    assert cache.get("key", 10.0) is None  # expired at its moment
