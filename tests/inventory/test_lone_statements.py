"""A new basket is stored by the one statement that takes its places, outside any
transaction. Such a statement keeps all or nothing: a refused request changes nothing,
not even the expired holds it freed on the way. Real commits here: the app runs on its
own database, not inside the test's rolled-back transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import psycopg
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem
from fixtures.world import ok

from ticketing import clock


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


def _floor(database: str, performance_id: str) -> tuple[int, int]:
    """(places counted as used, places in live or expired allocations) of the floor."""
    with psycopg.connect(database.replace("postgresql+psycopg", "postgresql")) as conn:
        row = conn.execute(
            "SELECT (SELECT used FROM standing_stock WHERE performance_id = %s),"
            " (SELECT coalesce(sum(quantity), 0) FROM allocation"
            "  WHERE performance_id = %s AND area_code = 'FLOOR')",
            (performance_id, performance_id),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


async def test_a_refused_standing_basket_keeps_the_expired_places_it_would_free(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    pid = performance["id"]

    async def hold(quantity: int) -> httpx.Response:
        return await client.post(
            "/public/holds",
            json={"performance_id": pid, "standing": [{"area": "FLOOR", "quantity": quantity}]},
        )

    start = clock.now()
    await ok(await hold(4))  # this basket expires first
    clock.set_clock(lambda: start + timedelta(minutes=5))
    await ok(await hold(6))  # the floor (10) is full
    clock.set_clock(lambda: start + timedelta(minutes=16))  # the 4 have expired
    assert _floor(database, pid) == (10, 10)
    # 11 do not fit even with the expired 4 freed: refused, and nothing changed.
    assert_problem(await hold(11), 409, "standing[0].quantity")
    assert _floor(database, pid) == (10, 10)
    # The expired 4 are still there to be freed for the next buyer.
    await ok(await hold(4))
    assert _floor(database, pid) == (10, 10)
    assert_problem(await hold(1), 409, "standing[0].quantity")
