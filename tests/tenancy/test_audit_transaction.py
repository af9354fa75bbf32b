"""The audit entry commits in the transaction of the change it records, on a database whose
writes really commit: when the entry cannot be stored the change is not stored either
(even a new basket, whose only write could otherwise commit on its own), and when the
change fails at its commit no entry is left behind."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
from fixtures.support import Tenant
from fixtures.world import World, build_world

from ticketing.tenancy.roles import Role

# Test-only triggers, in the test's own database.
REFUSE_AUDIT = """
    CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
    CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_entry
        FOR EACH ROW EXECUTE FUNCTION test_refuse();
"""
# Checked at COMMIT: the change is refused after the handler and the entry were written.
REFUSE_CHANGES_AT_COMMIT = """
    CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'refused by the test at commit'; END $$;
    CREATE CONSTRAINT TRIGGER test_refuse_hold AFTER INSERT ON hold
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse();
    CREATE CONSTRAINT TRIGGER test_refuse_venue AFTER UPDATE ON venue
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse();
"""


def run(database: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database, autocommit=True) as conn:
        cursor = conn.execute(sql, args or None)  # without args: several statements
        return cursor.fetchall() if cursor.description else []


def stored(database: str, world: World, request_id: str) -> tuple[int, int, int, str]:
    """Baskets, places held of the performance, entries of the request, the venue's name."""
    [(holds,)] = run(database, "SELECT count(*) FROM hold")
    [(places,)] = run(
        database,
        "SELECT count(*) FROM allocation WHERE performance_id = %s",
        world.performance["id"],
    )
    [(entries,)] = run(
        database, "SELECT count(*) FROM audit_entry WHERE request_id = %s", request_id
    )
    [(name,)] = run(database, "SELECT name FROM venue WHERE id = %s", world.venue["id"])
    return holds, places, entries, name


async def writes(client: httpx.AsyncClient, tenant: Tenant, world: World) -> list[httpx.Response]:
    """A new box-office basket and a PATCH, each with its own request id."""
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    hold = await client.post(
        "/box-office/holds",
        headers={**clerk, "X-Request-ID": "tx-hold"},
        json={
            "house_id": str(tenant.house.id),
            "performance_id": world.performance["id"],
            "seats": ["BALCONY/1/3"],
        },
    )
    patch = await client.patch(
        f"/venues/{world.venue['id']}",
        headers={**admin, "X-Request-ID": "tx-patch"},
        json={"name": "Zaal Nooit"},
    )
    return [hold, patch]


async def test_an_entry_that_cannot_be_stored_takes_the_change_along(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    world = await build_world(client, tenant)
    holds, places, _, name = stored(database, world, "none")
    run(database, REFUSE_AUDIT)

    for response in await writes(client, tenant, world):
        assert not response.is_success, response.text
    # Neither the basket (nor its seats) nor the new name, and no entry of either.
    assert stored(database, world, "tx-hold") == (holds, places, 0, name)
    assert stored(database, world, "tx-patch") == (holds, places, 0, name)


async def test_a_change_refused_at_commit_leaves_no_entry(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    world = await build_world(client, tenant)
    holds, places, _, name = stored(database, world, "none")
    run(database, REFUSE_CHANGES_AT_COMMIT)

    for response in await writes(client, tenant, world):
        assert not response.is_success, response.text
    # An entry written apart from the change (a session of its own) would still be there.
    assert stored(database, world, "tx-hold") == (holds, places, 0, name)
    assert stored(database, world, "tx-patch") == (holds, places, 0, name)
