"""Fixtures of the UiTdatabank tests: the fake Entry API (which refuses any body that does
not validate against publiq's JSON Schemas) and a house with an event ready to publish."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from publiq.fake_uitdatabank import FakeUitdatabank
from support import Tenant
from tickets_support import run_outbox
from udb_support import fake_uitdatabank
from world import World, build_world, ok

from ticketing.db.engine import SessionMaker
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role


@pytest.fixture
def udb(settings: Settings) -> Iterator[FakeUitdatabank]:
    with fake_uitdatabank(settings.uitdatabank, settings.public_url) as fake:
        yield fake


@pytest.fixture
async def world(
    client: httpx.AsyncClient, tenant: Tenant, udb: FakeUitdatabank, sessionmaker: SessionMaker
) -> World:
    """A published event in all three languages, with a tariff and an age range, at a
    venue linked to its UiTdatabank place, by a house linked to its organizer."""
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    built = await build_world(client, tenant)
    place = udb.add_place(
        {
            "mainLanguage": "nl",
            "name": {"nl": built.venue["name"]},
            "calendarType": "permanent",
            "address": {"nl": {"addressCountry": "BE", "addressLocality": "Gent",
                               "postalCode": "9000", "streetAddress": "Kouter 1"}},
            "terms": [{"id": "0.14.0.0.0", "domain": "eventtype"}],
        }
    )  # fmt: skip
    await ok(
        await client.patch(
            f"/venues/{built.venue['id']}", headers=admin, json={"uitdatabank_place_id": place}
        ),
        200,
    )
    await ok(
        await client.patch(
            f"/houses/{tenant.house.id}",
            headers=admin,
            json={"uitdatabank_organizer_id": str(uuid.uuid4()), "phone": "+32 9 223 00 00"},
        ),
        200,
    )
    await ok(
        await client.patch(
            f"/events/{built.event['id']}",
            headers=admin,
            json={
                "title": {"nl": "Hamlet", "fr": "Hamlet (fr)", "en": "Hamlet (en)"},
                "description": {"nl": "Een stuk.", "fr": "Une pièce.", "en": "A play."},
            },
        ),
        200,
    )
    await run_outbox(sessionmaker)  # not published yet: nothing goes out
    assert udb.calls("POST", "/events") == []
    return built
