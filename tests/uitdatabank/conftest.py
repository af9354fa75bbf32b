"""Fixtures of the UiTdatabank tests: the fake Entry API (which refuses any body that does
not validate against publiq's JSON Schemas) and a house with an event ready to publish."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fixtures.support import Tenant
from fixtures.tickets_support import run_outbox
from fixtures.udb_support import fake_uitdatabank, linked_world
from fixtures.world import World
from publiq.fake_uitdatabank import FakeUitdatabank

from ticketing.db.engine import SessionMaker


@pytest.fixture
def udb() -> Iterator[FakeUitdatabank]:
    with fake_uitdatabank() as fake:
        yield fake


@pytest.fixture
async def world(
    client: httpx.AsyncClient, tenant: Tenant, udb: FakeUitdatabank, sessionmaker: SessionMaker
) -> World:
    """An unpublished event in all three languages, with a tariff and an age range, at a
    venue linked to its UiTdatabank place, by a house linked to its organizer."""
    built = await linked_world(client, tenant, udb)
    await run_outbox(sessionmaker)  # not published yet: nothing goes out
    assert udb.calls("POST", "/events") == []
    return built
