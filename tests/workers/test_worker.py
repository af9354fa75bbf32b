"""The real worker with its beat (see conftest), on a platform whose API writes for real:
it knows every task the beat and the API send and every outbox topic, as the worker itself
reports them, and it carries them out; unpaid orders and reservations expire.

A task module left out of the worker once went unnoticed: the beat sent
`podium.orders.expire_due` every 30 s, the worker discarded it, and its unit test called
the function directly."""

from __future__ import annotations

import importlib
import os
import pkgutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant
from fixtures.tickets_support import sell
from fixtures.world import ok
from running import RunningWorker, eventually, wait_for
from sqlmodel import col, select

import ticketing
from ticketing import clock
from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.payments import stripe_flow
from ticketing.tenancy.roles import Role

pytestmark = pytest.mark.slow


def every_outbox_topic() -> set[str]:
    """The topics with a handler anywhere in the code, found by importing every module of
    `ticketing` (not only those ticketing/handlers.py names)."""
    for module in pkgutil.walk_packages(ticketing.__path__, "ticketing."):
        if ".migrations" not in module.name:  # Alembic's env.py runs on import
            importlib.import_module(module.name)
    return set(outbox.HANDLERS)


def scheduled_tasks() -> set[str]:
    from workers.celery_app import app

    schedule: dict[str, dict[str, Any]] = app.conf.beat_schedule
    return {entry["task"] for entry in schedule.values()}


# Tasks the API sends by name after commit (the beat's are in its schedule).
SENT_BY_THE_API = {outbox.PROCESS_TASK, stripe_flow.PROCESS_TASK}


def test_worker_answers_ping_and_takes_gathered_outbox_ids(
    running_worker: RunningWorker,
) -> None:
    assert running_worker.ask("podium.ping") == {"worker": "ok", "database": "ok"}
    # The outbox task takes the ids an API process gathered, any number of them (unknown
    # ones are nothing to do).
    gathered = [str(uuid.uuid4()), str(uuid.uuid4())]
    running_worker.client.send_task("podium.outbox.process", args=gathered)
    wait_for(lambda: running_worker.succeeded("podium.outbox.process") >= 1, "the outbox task")
    assert running_worker.problems() == []


def test_worker_knows_every_scheduled_task_and_outbox_topic(
    running_worker: RunningWorker,
) -> None:
    scheduled = scheduled_tasks()
    assert "podium.orders.expire_due" in scheduled
    known = running_worker.ask("podium.registered")
    assert set(known["scheduled"]) == scheduled
    assert (scheduled | SENT_BY_THE_API) - set(known["tasks"]) == set()
    assert set(known["outbox_topics"]) == every_outbox_topic()
    if os.environ.get("TICKETING_TEST_REDIS_URL"):
        # Celery's own account, from the worker's main process (the SQL transport has no
        # broadcast, so this works on Redis only; the task above works on both).
        answers = running_worker.client.control.inspect(timeout=10).registered()
        assert answers, "no worker answered `inspect registered`"
        for node, names in answers.items():
            assert (scheduled | SENT_BY_THE_API) - set(names) == set(), node
    # Every task of the schedule is sent by the beat and carried out by the worker.
    for task in sorted(scheduled):
        wait_for(lambda task=task: running_worker.succeeded(task) >= 1, f"a run of {task}")
    assert running_worker.problems() == []


async def test_worker_carries_out_every_outbox_topic(
    running_worker: RunningWorker, platform: tuple[httpx.AsyncClient, Tenant, SessionMaker]
) -> None:
    client, tenant, sessionmaker = platform
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    order = await sell(client, tenant, performance, seats=["STALLS/1/1"])
    # The API's task went to the test's in-memory broker: the beat's outbox sweep finds
    # the message, the worker issues the tickets and then (no SMTP server) records that
    # they were not mailed.
    url = f"/orders/{order['id']}/history"

    async def kinds() -> set[str]:
        return {e["kind"] for e in await ok(await client.get(url, headers=clerk), 200)}

    await eventually(kinds, {"tickets_issued", "tickets_not_mailed"})
    # One message of every topic the worker reports, with every id a handler may read,
    # each of a row that exists or of none (a handler must take both).
    topics = running_worker.ask("podium.registered")["outbox_topics"]
    payload = {
        "order_id": order["id"],
        "event_id": performance["event_id"],
        "performance_id": performance["id"],
        "refund_id": str(uuid.uuid4()),
    }
    async with unit_of_work(sessionmaker) as session:
        ids = [outbox.put(session, t, payload, house_id=tenant.house.id).id for t in topics]

    async def carried_out() -> list[tuple[str, bool, str | None]]:
        async with sessionmaker() as session:
            stmt = select(outbox.OutboxMessage).where(col(outbox.OutboxMessage.id).in_(ids))
            rows = (await session.exec(stmt)).all()
        return sorted((m.topic, m.processed_at is not None, m.last_error) for m in rows)

    await eventually(carried_out, sorted((t, True, None) for t in topics))
    assert running_worker.problems() == []


# A client found orders `pending` and `reserved` forever: the beat sent
# `podium.orders.expire_due`, the worker did not know the task.


@pytest.fixture
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


@pytest.mark.usefixtures("_real_clock")
async def test_overdue_reservation_and_unpaid_online_order_expire(
    running_worker: RunningWorker,
    platform: tuple[httpx.AsyncClient, Tenant, SessionMaker],
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
