"""The real worker with its beat (see conftest): it knows every task the beat and the API
send and every outbox topic, as the worker itself reports them, and it carries them out.

A task module left out of the worker once went unnoticed: the beat sent
`podium.orders.expire_due` every 30 s, the worker discarded it, and its unit test called
the function directly."""

from __future__ import annotations

import importlib
import os
import pkgutil
import uuid
from typing import Any

import httpx
import pytest
from inventory_setup import MIXED_SPEC, put_on_sale
from running import RunningWorker, eventually, wait_for
from sqlmodel import col, select
from support import Tenant
from world import ok

import ticketing
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
    await ok(
        await client.post(
            "/till/open", headers=clerk, json={"house_id": str(tenant.house.id), "float_cents": 0}
        )
    )
    hold = await ok(
        await client.post(
            "/box-office/holds",
            headers=clerk,
            json={
                "house_id": str(tenant.house.id),
                "performance_id": performance["id"],
                "seats": ["STALLS/1/1"],
            },
        )
    )
    order = await ok(
        await client.post(
            "/box-office/orders",
            headers=clerk,
            json={
                "hold_id": hold["id"],
                "customer": {"name": "Els Wouters", "email": "els@example.test"},
                "payment": {"method": "cash"},
            },
        )
    )
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
