"""A live API on a database of its own, seeded through its own entry points with one of
everything (tests/fixtures/world.py), for schemathesis to walk with real ids."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fixtures.live import live_server
from fixtures.stripe_support import WEBHOOK_SECRET
from fixtures.support import TICKETS_SECRET, make_tenant, make_user
from fixtures.tickets_support import run_outbox
from fixtures.world import build_world
from PIL import Image
from schemathesis.specs.openapi.schemas import OpenApiSchema
from test_tenant_isolation import sample_bodies

from ticketing.core import keyring
from ticketing.db.engine import create_engine, create_sessionmaker
from ticketing.settings import Settings, TicketSettings
from ticketing.tenancy.roles import Role


@dataclass
class Contract:
    schema: OpenApiSchema
    base: str
    ids: dict[str, str]  # path and query parameters that name the seeded things
    # Where an operation needs other things under the same names: the shop's order,
    # which waits for its payment (the box-office sale is paid and has the tickets).
    ids_for: dict[tuple[str, str], dict[str, str]]
    bodies: dict[tuple[str, str], Any]  # a valid body per operation
    headers: dict[str, dict[str, str]]  # per caller
    device: dict[str, str]  # the door device's token header


@pytest.fixture(scope="module")
async def contract(
    server_url: str,
    localstripe_url: str,
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Contract]:
    env = {
        "TICKETING_STRIPE__SECRET_KEY": "sk_test_podium",
        "TICKETING_STRIPE__PUBLISHABLE_KEY": "pk_test_podium",
        "TICKETING_STRIPE__WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TICKETING_STRIPE__API_BASE": localstripe_url,
        "TICKETING_STRIPE__LOCALSTRIPE": "true",
        # Jobs stay in the server's memory: the tests carry out the outbox themselves.
        "TICKETING_CELERY__BROKER_URL": "memory://",
    }
    log_dir = Path(tmp_path_factory.mktemp("contract"))
    async with live_server(
        server_url, log_dir, prefix="podium_contract", workers=1, env=env
    ) as live:
        engine = create_engine(live.database_url, pool_size=2)
        sessionmaker = create_sessionmaker(engine)
        try:
            async with sessionmaker() as session:
                tenant = await make_tenant(session)
                admin = await make_user(session, platform_admin=True)
                await session.commit()
            async with httpx.AsyncClient(base_url=live.base, timeout=30) as client:
                world = await build_world(client, tenant, publish=True)
                ids = {**world.ids, "secret": world.order["secret"]}
                ids["customer_id"] = await _customer(client, world.tenant.staff, ids)
                shop = await _shop_order(client, ids)
                # The box-office sale's tickets are issued after commit, as in production.
                keyring.configure(TicketSettings(secret_key=TICKETS_SECRET), live.base)  # type: ignore[arg-type]
                await run_outbox(sessionmaker)
            schema = schemathesis.openapi.from_url(f"{live.base}/schema/openapi.json")
            yield Contract(
                schema=schema,
                base=live.base,
                ids=ids,
                ids_for={
                    ("GET", "/public/orders/{order_id}"): shop,
                    ("POST", "/public/orders/{order_id}/payment"): shop,
                    ("POST", "/public/orders/{order_id}/test-payment"): shop,
                },
                bodies={
                    **sample_bodies(ids, tenant.staff[Role.HOUSE_ADMIN].user.email),
                    ("PUT", "/houses/{house_id}/logo"): _png(),
                },
                headers={
                    "anonymous": {},
                    "house admin": tenant.staff[Role.HOUSE_ADMIN].headers,
                    "platform admin": admin.headers,
                },
                device={"Authorization": f"Bearer {world.device['token']}"},
            )
        finally:
            keyring.configure(settings.tickets, settings.public_url)
            await engine.dispose()


async def _customer(client: httpx.AsyncClient, staff: dict[str, Any], ids: dict[str, str]) -> str:
    """A customer, made by a sale at the counter."""
    clerk = staff[Role.BOX_OFFICE].headers
    hold = await client.post(
        "/box-office/holds",
        headers=clerk,
        json={
            "house_id": ids["house_id"],
            "performance_id": ids["performance_id"],
            "seats": ["STALLS/3/6"],
        },
    )
    assert hold.status_code == 201, hold.text
    sale = await client.post(
        "/box-office/orders",
        headers=clerk,
        json={
            "hold_id": hold.json()["id"],
            "payment": {"method": "cash"},
            "customer": {"name": "Contract Customer", "email": "contract@example.test"},
        },
    )
    assert sale.status_code == 201, sale.text
    found = await client.get("/customers", headers=clerk, params={"q": "contract@example.test"})
    assert found.status_code == 200, found.text
    return str(found.json()[0]["id"])


async def _shop_order(client: httpx.AsyncClient, ids: dict[str, str]) -> dict[str, str]:
    """An order from the shop, waiting for its payment: its id and secret."""
    hold = await client.post(
        "/public/holds", json={"performance_id": ids["performance_id"], "seats": ["STALLS/2/1"]}
    )
    assert hold.status_code == 201, hold.text
    order = await client.post(
        "/public/orders",
        json={
            "hold_id": hold.json()["id"],
            "customer": {"name": "Shop Buyer", "email": "buyer@example.test"},
        },
    )
    assert order.status_code == 201, order.text
    return {"order_id": order.json()["id"], "secret": order.json()["secret"]}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()
