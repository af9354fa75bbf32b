"""Unpaid orders and reservations expire through the running platform: the HTTP API and
the real worker with its beat (sweeping every second here, see conftest).

A client found orders `pending` and `reserved` forever: the beat sent
`podium.orders.expire_due`, the worker did not know the task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from inventory_setup import MIXED_SPEC, put_on_sale
from running import RunningWorker, eventually
from support import Tenant
from world import ok

from ticketing.core import clock
from ticketing.db.engine import SessionMaker
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


async def test_overdue_reservation_and_unpaid_online_order_expire(
    running_worker: RunningWorker, platform: tuple[httpx.AsyncClient, Tenant, SessionMaker]
) -> None:
    client, tenant, _ = platform
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    # The shortest basket a house may set: one minute.
    await ok(
        await client.patch(f"/houses/{tenant.house.id}", headers=admin, json={"hold_minutes": 1}),
        200,
    )

    # At the counter: a reservation to be paid within seconds.
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": ["BALCONY/1/3"],
            },
        )
    )
    reserved = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {"name": "Mevr. Claes"},
                "reserve_until": (clock.now() + timedelta(seconds=3)).isoformat(),
            },
        )
    )
    assert reserved["status"] == "reserved"

    # Online: the buyer took the basket 58 seconds ago (so says the API's clock; the worker
    # keeps the real one), ordered, and never pays.
    clock.set_clock(lambda: datetime.now(UTC) - timedelta(seconds=58))
    basket = await ok(
        await client.post(
            "/public/holds", json={"performance_id": performance["id"], "seats": ["STALLS/2/2"]}
        )
    )
    pending = await ok(
        await client.post(
            "/public/orders",
            json={
                "hold_id": basket["id"],
                "customer": {"name": "An Janssens", "email": "an@example.test"},
            },
        )
    )
    clock.set_clock(None)
    assert pending["status"] == "pending"
    assert pending["pay_before"] == basket["expires_at"]

    async def statuses() -> dict[str, Any]:
        found = {}
        for order in (reserved, pending):
            body = await ok(await client.get(f"/orders/{order['id']}", headers=clerk), 200)
            found[order["id"]] = (body["status"], {t["status"] for t in body["tickets"]})
        return found

    expired = (("expired", {"cancelled"}),) * 2
    await eventually(statuses, dict(zip([reserved["id"], pending["id"]], expired, strict=True)))
    # Both places are on sale again.
    availability = await ok(
        await client.get(f"/public/performances/{performance['id']}/availability"), 200
    )
    assert availability["held"] == []
    assert availability["sold"] == []
    assert running_worker.succeeded("podium.orders.expire_due") >= 1
    assert running_worker.problems() == []
