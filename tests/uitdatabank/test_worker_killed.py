"""A worker killed after the change committed and before UiTdatabank heard of it: the
change still goes out, once, when a worker runs again. A worker killed after its creation
reached UiTdatabank: the next holds it for staff, never a second event."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fixtures.support import JWT_SECRET, TICKETS_SECRET, Tenant
from fixtures.udb_support import CLIENT_ID, CLIENT_SECRET, linked_world, publish
from fixtures.world import ok
from publiq.fake_uitdatabank import FakeUitdatabank
from sqlmodel import col, select

from ticketing.core import outbox
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.tenancy.roles import Role
from ticketing.uitdatabank.models import SyncStatus, UitdatabankEvent
from ticketing.uitdatabank.sync import SYNC_TOPIC

ROOT = Path(__file__).resolve().parents[2]


def start_worker(database: str, base: str, message_id: str) -> subprocess.Popen[bytes]:
    """The worker's task for one outbox message (what the API sends after its commit), in
    a process of its own, configured like a deployed worker."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    environment.update(
        TICKETING_DATABASE_URL=database,
        TICKETING_AUTH__JWT_SECRET=JWT_SECRET,
        TICKETING_TICKETS__SECRET_KEY=TICKETS_SECRET,
        TICKETING_ENVIRONMENT="test",
        TICKETING_CELERY__BROKER_URL="memory://",
        TICKETING_UITDATABANK__API_URL=base,
        TICKETING_UITDATABANK__TOKEN_URL=f"{base}/token",
        TICKETING_UITDATABANK__CLIENT_ID=CLIENT_ID,
        TICKETING_UITDATABANK__CLIENT_SECRET=CLIENT_SECRET,
    )
    code = f"from workers.tasks.outbox import process; process({message_id!r})"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=environment)


async def test_a_worker_killed_before_sending_leaves_the_change_to_the_next(
    committing: tuple[httpx.AsyncClient, Tenant, str], udb: FakeUitdatabank
) -> None:
    client, tenant, database = committing
    engine = create_engine(database, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        world = await linked_world(client, tenant, udb)
        await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))  # the world's
        await publish(client, tenant, world)  # committed, with its outbox message
        async with sessionmaker() as session:
            (message,) = (
                await session.exec(
                    select(outbox.OutboxMessage).where(
                        outbox.OutboxMessage.topic == SYNC_TOPIC,
                        col(outbox.OutboxMessage.processed_at).is_(None),
                    )
                )
            ).all()

        # The worker takes the message and is killed while it asks for its token: after
        # the commit, before anything is sent.
        udb.delay_next(30, path_prefix="/token")
        worker = start_worker(database, udb.base_url or "", str(message.id))
        try:
            deadline = time.monotonic() + 60
            while not udb.calls("POST", "/token"):
                assert worker.poll() is None, "the worker ended before it was killed"
                assert time.monotonic() < deadline, "the worker never asked for a token"
                await asyncio.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        assert udb.calls("POST", "/events") == []

        # A worker runs again: the sweep finds the message and carries it out, once.
        deadline = time.monotonic() + 30
        while not await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)):
            # The killed worker's transaction ends when the server notices it is gone.
            assert time.monotonic() < deadline, "the message stayed locked"
            await asyncio.sleep(0.1)
        assert await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)) == 0
        (posted,) = udb.calls("POST", "/events")
        assert posted.body is not None
        assert posted.body["workflowStatus"] == "READY_FOR_VALIDATION"
        async with sessionmaker() as session:
            (record,) = (await session.exec(select(UitdatabankEvent))).all()
            assert record.status == SyncStatus.SYNCED
            assert record.udb_id in udb.events
    finally:
        await engine.dispose()


async def sync_message(sessionmaker: SessionMaker) -> outbox.OutboxMessage:
    async with sessionmaker() as session:
        (message,) = (
            await session.exec(
                select(outbox.OutboxMessage).where(
                    outbox.OutboxMessage.topic == SYNC_TOPIC,
                    col(outbox.OutboxMessage.processed_at).is_(None),
                )
            )
        ).all()
        return message


async def location(sessionmaker: SessionMaker) -> UitdatabankEvent:
    async with sessionmaker() as session:
        (record,) = (await session.exec(select(UitdatabankEvent))).all()
        return record


async def test_a_worker_killed_after_posting_never_leads_to_a_second_event(
    committing: tuple[httpx.AsyncClient, Tenant, str], udb: FakeUitdatabank
) -> None:
    client, tenant, database = committing
    engine = create_engine(database, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        world = await linked_world(client, tenant, udb)
        await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))
        await publish(client, tenant, world)
        message = await sync_message(sessionmaker)

        # The creation reaches UiTdatabank (which makes the event) and the worker is killed
        # before it can store the answer.
        udb.delay_next(2, path_prefix="/events")
        worker = start_worker(database, udb.base_url or "", str(message.id))
        try:
            deadline = time.monotonic() + 60
            while not udb.calls("POST", "/events"):
                assert worker.poll() is None, "the worker ended before it was killed"
                assert time.monotonic() < deadline, "the worker never posted"
                await asyncio.sleep(0.05)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        deadline = time.monotonic() + 30
        while not udb.events:
            assert time.monotonic() < deadline, "the fake never carried out the POST"
            await asyncio.sleep(0.05)

        # A worker runs again: it sees a creation went out and holds it for staff.
        deadline = time.monotonic() + 30
        while not await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)):
            assert time.monotonic() < deadline, "the message stayed locked"
            await asyncio.sleep(0.1)
        assert len(udb.calls("POST", "/events")) == 1
        assert len(udb.events) == 1
        record = await location(sessionmaker)
        assert record.status == SyncStatus.UNCERTAIN
        assert record.udb_id is None
        assert record.last_error is not None
        assert record.last_error.startswith("Create uncertain - check UiTdatabank")
    finally:
        await engine.dispose()


async def test_a_create_answered_busy_is_not_taken_for_a_lost_one(
    committing: tuple[httpx.AsyncClient, Tenant, str], udb: FakeUitdatabank
) -> None:
    """Workers commit the mark of a creation on its own: an answer that says it was not
    carried out (503) takes the mark off again, and the next sync creates it."""
    client, tenant, database = committing
    engine = create_engine(database, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        world = await linked_world(client, tenant, udb)
        await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))
        await publish(client, tenant, world)
        udb.fail_next(503, times=3, path_prefix="/events")
        assert await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)) == 0
        record = await location(sessionmaker)
        assert (record.status, record.create_sent_at) == (SyncStatus.PENDING, None)

        await ok(
            await client.post(
                f"/events/{world.event['id']}/uitdatabank/sync",
                headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            ),
            202,
        )
        assert await outbox.process_all(sessionmaker, await outbox.due(sessionmaker)) == 1
        assert len(udb.calls("POST", "/events")) == 4  # three answered 503, then created
        record = await location(sessionmaker)
        assert record.status == SyncStatus.SYNCED
        assert record.udb_id in udb.events
        assert len(udb.events) == 1
    finally:
        await engine.dispose()
