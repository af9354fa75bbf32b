"""Helpers of the UiTdatabank tests: the fake Entry API wired into the sync, publishing
an event and reading its sync state."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from publiq.fake_uitdatabank import FakeUitdatabank, serve
from support import Tenant
from world import World, build_world, ok

from ticketing.settings import UitdatabankSettings
from ticketing.tenancy.roles import Role
from ticketing.uitdatabank import sync

CLIENT_ID, CLIENT_SECRET = "podium", "s3cret"


def fake_settings(base: str, **extra: Any) -> UitdatabankSettings:
    values: dict[str, Any] = {
        "api_url": base,
        "token_url": f"{base}/token",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "retries": 3,
        "backoff_seconds": 0.01,
        "timeout_seconds": 2,
    }
    return UitdatabankSettings(**{**values, **extra})


def point_sync_at(fake: FakeUitdatabank, **extra: Any) -> None:
    """This process's sync talks to the (served) fake with these settings changed."""
    assert fake.base_url is not None
    sync.configure(fake_settings(fake.base_url, **extra), "https://tickets.example.be")


@contextmanager
def fake_uitdatabank(restore: UitdatabankSettings, public_url: str) -> Iterator[FakeUitdatabank]:
    """The fake on loopback, with this process's sync pointed at it until the end."""
    fake = FakeUitdatabank(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with serve(fake) as base:
        sync.configure(fake_settings(base), "https://tickets.example.be")
        try:
            yield fake
        finally:
            sync.configure(restore, public_url)


async def publish(client: httpx.AsyncClient, tenant: Tenant, world: World) -> None:
    await ok(
        await client.patch(
            f"/events/{world.event['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"status": "published"},
        ),
        200,
    )


async def state(client: httpx.AsyncClient, tenant: Tenant, world: World) -> dict[str, Any]:
    return await ok(
        await client.get(
            f"/events/{world.event['id']}/uitdatabank",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )


async def linked_world(client: httpx.AsyncClient, tenant: Tenant, udb: FakeUitdatabank) -> World:
    """The world, with its event in all three languages, its venue linked to a place in
    UiTdatabank and its house to an organizer; not published yet."""
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
    return built
