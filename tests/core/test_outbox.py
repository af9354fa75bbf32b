from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import jobs, outbox
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.tenancy.models import Cluster

calls: list[dict[str, Any]] = []


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    sent: list[tuple[str, tuple[Any, ...]]] = []

    async def fake_send(name: str, *args: Any) -> None:
        sent.append((name, args))

    monkeypatch.setattr(jobs, "send_task", fake_send)

    async def record(session: AsyncSession, message: outbox.OutboxMessage) -> None:
        # A database effect that must happen exactly once, and a call to the outside.
        session.add(Cluster(slug=message.payload["slug"], name="from outbox"))
        calls.append(message.payload)

    async def explode(session: AsyncSession, message: outbox.OutboxMessage) -> None:
        session.add(Cluster(slug=message.payload["slug"], name="half done"))
        await session.flush()
        raise RuntimeError("UiTdatabank said 503")

    monkeypatch.setitem(outbox.HANDLERS, "test.record", record)
    monkeypatch.setitem(outbox.HANDLERS, "test.explode", explode)
    calls.clear()
    yield sent
    clock.set_clock(None)


async def _slug_count(sessionmaker: SessionMaker, slug: str) -> int:
    async with sessionmaker() as session:
        return len((await session.exec(select(Cluster).where(Cluster.slug == slug))).all())


async def test_message_is_sent_after_commit_and_done_once(
    sessionmaker: SessionMaker, handlers: list[tuple[str, tuple[Any, ...]]]
) -> None:
    slug = f"ob-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(sessionmaker) as session:
        message = outbox.put(session, "test.record", {"slug": slug})
        assert handlers == []  # nothing leaves before the commit
    assert handlers == [(outbox.PROCESS_TASK, (str(message.id),))]

    assert await outbox.process(sessionmaker, message.id) is True
    assert await outbox.process(sessionmaker, message.id) is False  # a retry does nothing
    assert calls == [{"slug": slug}]
    assert await _slug_count(sessionmaker, slug) == 1


async def test_rollback_sends_nothing(
    sessionmaker: SessionMaker, handlers: list[tuple[str, tuple[Any, ...]]]
) -> None:
    async def put_then_fail() -> None:
        async with unit_of_work(sessionmaker) as session:
            outbox.put(session, "test.record", {"slug": "never"})
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        await put_then_fail()
    assert handlers == []
    assert await outbox.due(sessionmaker) == []


async def test_failure_is_recorded_and_retried_later(
    sessionmaker: SessionMaker, handlers: list[tuple[str, tuple[Any, ...]]]
) -> None:
    slug = f"ob-{uuid.uuid4().hex[:8]}"
    start = clock.now()
    clock.set_clock(lambda: start)
    async with unit_of_work(sessionmaker) as session:
        message = outbox.put(session, "test.explode", {"slug": slug})
    assert await outbox.process(sessionmaker, message.id) is False
    async with sessionmaker() as session:
        stored = await session.get(outbox.OutboxMessage, message.id)
        assert stored is not None
        assert stored.attempts == 1
        assert stored.processed_at is None
        assert stored.last_error == "RuntimeError: UiTdatabank said 503"
        assert stored.available_at == start + outbox.backoff(1)
    # The handler's half-done write was rolled back with it.
    assert await _slug_count(sessionmaker, slug) == 0
    assert message.id not in await outbox.due(sessionmaker)
    clock.set_clock(lambda: start + timedelta(minutes=1))
    assert message.id in await outbox.due(sessionmaker)


async def test_a_batch_is_carried_out_message_by_message(
    sessionmaker: SessionMaker, handlers: list[tuple[str, tuple[Any, ...]]]
) -> None:
    """What one API process sent in one message: a failing message keeps its own retry and
    the others are done; a repeated delivery does nothing twice."""
    slugs = [f"ob-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    async with unit_of_work(sessionmaker) as session:
        first = outbox.put(session, "test.record", {"slug": slugs[0]})
        broken = outbox.put(session, "test.explode", {"slug": slugs[1]})
        last = outbox.put(session, "test.record", {"slug": slugs[2]})
    ids = [first.id, broken.id, last.id]
    assert await outbox.process_all(sessionmaker, ids) == 2
    assert [await _slug_count(sessionmaker, slug) for slug in slugs] == [1, 0, 1]
    assert await outbox.process_all(sessionmaker, ids) == 0
    assert calls == [{"slug": slugs[0]}, {"slug": slugs[2]}]
    async with sessionmaker() as session:
        stored = await session.get(outbox.OutboxMessage, broken.id)
        assert stored is not None
        assert stored.attempts == 2
        assert stored.processed_at is None


def test_backoff_grows_and_is_capped() -> None:
    assert outbox.backoff(1) == timedelta(seconds=5)
    assert outbox.backoff(2) == timedelta(seconds=10)
    assert outbox.backoff(50) == outbox.MAX_BACKOFF


async def test_unknown_topic_is_refused(sessionmaker: SessionMaker) -> None:
    async with sessionmaker() as session:
        with pytest.raises(ValueError, match="no handler"):
            outbox.put(session, "nobody.listens", {})


async def _waiting(sessionmaker: SessionMaker, topic: str) -> list[outbox.OutboxMessage]:
    async with sessionmaker() as session:
        stmt = select(outbox.OutboxMessage).where(
            outbox.OutboxMessage.topic == topic,
            outbox.OutboxMessage.processed_at == None,  # noqa: E711 - SQL IS NULL
        )
        return list((await session.exec(stmt)).all())


async def test_coalesced_changes_are_one_message_and_none_is_lost_while_it_runs(
    sessionmaker: SessionMaker, handlers: list[tuple[str, tuple[Any, ...]]]
) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    key = f"perf-{uuid.uuid4().hex[:8]}"
    for n in range(5):  # five changes, five transactions: one message waits
        async with unit_of_work(sessionmaker) as session:
            outbox.put_coalesced(
                session, "test.record", {"slug": f"{key}-{n}"}, key, delay=timedelta(seconds=5)
            )
    (first,) = await _waiting(sessionmaker, "test.record")
    assert first.payload == {"slug": f"{key}-0"}
    assert first.available_at == start + timedelta(seconds=5)
    assert handlers == []  # no task: the sweep carries it out when due
    assert await outbox.due(sessionmaker, coalesced_only=True) == []

    clock.set_clock(lambda: start + timedelta(seconds=5))
    assert await outbox.due(sessionmaker, coalesced_only=True) == [first.id]
    # Handed out to a worker, it no longer takes the changes that come meanwhile: the next
    # one stores a message of its own, due a full delay later.
    async with unit_of_work(sessionmaker) as session:
        outbox.put_coalesced(
            session, "test.record", {"slug": f"{key}-late"}, key, delay=timedelta(seconds=5)
        )
    assert await outbox.process(sessionmaker, first.id) is True
    (late,) = await _waiting(sessionmaker, "test.record")
    assert late.payload == {"slug": f"{key}-late"}
    assert late.available_at == start + timedelta(seconds=10)
