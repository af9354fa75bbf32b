"""Deferred writes: sent together with the session's next statement, visible to every
later read, committed with the session and dropped with a rollback."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db import raw
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.tenancy.models import Cluster

INSERT = (
    "INSERT INTO cluster (id, created_at, updated_at, slug, name, is_demo)"
    " VALUES ($1, $2, $2, $3, $4, false)"
)
RENAME = "UPDATE cluster SET name = $2 WHERE id = $1"


def _add(session: AsyncSession, slug: str) -> uuid.UUID:
    cluster_id = uuid.uuid4()
    raw.defer(session, INSERT, cluster_id, clock.now(), slug, slug.title())
    return cluster_id


EVENT = "INSERT INTO order_event (id, kind) VALUES ($1, $2)"
HOLD = "UPDATE hold SET status = $2 WHERE id = $1"


def test_writes_share_a_statement_unless_one_could_miss_another() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    pending = [
        (INSERT, (a, "t", "one", "One")),
        (EVENT, (a, "created")),
        (EVENT, (b, "paid")),
        (HOLD, (a, "ordered")),
        (RENAME, (a, "Een")),
        (RENAME, (b, "Twee")),
    ]
    (first, first_params), (second, second_params), (third, third_params) = raw.batches(pending)
    # Inserts share a statement, and so do writes to other tables...
    assert first == (
        f"WITH w0 AS ({INSERT}),"
        " w1 AS (INSERT INTO order_event (id, kind) VALUES ($5, $6)),"
        " w2 AS (INSERT INTO order_event (id, kind) VALUES ($7, $8)),"
        " w3 AS (UPDATE hold SET status = $10 WHERE id = $9) SELECT 1"
    )
    assert first_params == [a, "t", "one", "One", a, "created", b, "paid", a, "ordered"]
    # ...but an update of a table just written waits for the next statement (it would not
    # see the row inserted beside it), and so does a second update (one statement would
    # keep only one of the two). Alone, a write needs no WITH.
    assert (second, second_params) == (RENAME, [a, "Een"])
    assert (third, third_params) == (RENAME, [b, "Twee"])


def test_only_single_writes_are_deferred(sessionmaker: SessionMaker) -> None:
    session = sessionmaker()
    with pytest.raises(ValueError, match="INSERT, UPDATE or DELETE"):
        raw.defer(session, "SELECT 1")


async def test_later_reads_see_deferred_writes_and_commit_keeps_them(
    sessionmaker: SessionMaker,
) -> None:
    slug = f"deferred-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(sessionmaker) as session:
        first = _add(session, slug + "-a")
        raw.defer(session, RENAME, first, "Renamed")
        # An ORM query sends them first...
        found = (await session.exec(select(Cluster).where(Cluster.id == first))).one()
        assert found.name == "Renamed"
        second = _add(session, slug + "-b")
        # ...and so does plain SQL.
        connection = await raw.connection(session)
        assert await connection.fetchval("SELECT name FROM cluster WHERE id = $1", second)
        third = _add(session, slug + "-c")
    # The commit sends what is still pending.
    async with sessionmaker() as session:
        names = {
            c.id: c.name
            for c in (
                await session.exec(
                    select(Cluster).where(Cluster.slug.startswith(slug))  # type: ignore[attr-defined]
                )
            ).all()
        }
    assert names == {first: "Renamed", second: slug.title() + "-B", third: slug.title() + "-C"}


async def test_a_rollback_drops_deferred_writes(sessionmaker: SessionMaker) -> None:
    slug = f"dropped-{uuid.uuid4().hex[:8]}"
    async with sessionmaker() as session:
        await session.exec(select(Cluster).limit(1))
        _add(session, slug)
        await session.rollback()
        # The same session goes on and commits: what was deferred before the rollback
        # is not sent with it.
        await session.exec(select(Cluster).limit(1))
        await session.commit()
        assert (await session.exec(select(Cluster).where(Cluster.slug == slug))).first() is None


async def test_a_built_object_is_a_full_row_object(db: AsyncSession) -> None:
    slug = f"built-{uuid.uuid4().hex[:8]}"
    built = raw.build(Cluster, slug=slug, name="Built")
    made = Cluster(slug=slug + "-x", name="Made")
    # Defaults are filled in as the constructor would (a new id, timestamps, flags)...
    assert set(built.model_dump()) == set(made.model_dump())
    assert built.id != made.id
    assert built.is_demo is False
    assert built.created_at is not None
    # ...and the ORM stores, loads and changes it like any other.
    db.add(built)
    await db.commit()
    built.name = "Renamed"
    db.add(built)
    await db.commit()
    db.expunge_all()
    assert (await db.get(Cluster, built.id)).name == "Renamed"  # type: ignore[union-attr]


async def _fail_in_savepoint(session: AsyncSession, slug: str) -> None:
    async with raw.savepoint(session):
        session.add(Cluster(slug=slug + "-gone", name="Gone"))
        await session.flush()
        raise RuntimeError("this part fails")


async def _bare_savepoint(session: AsyncSession) -> None:
    async with session.begin_nested():
        pass


async def test_a_savepoint_rolled_back_keeps_the_writes_deferred_before_it(
    sessionmaker: SessionMaker,
) -> None:
    slug = f"kept-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(sessionmaker) as session:
        kept = _add(session, slug)
        # A savepoint straight over deferred writes is refused...
        with pytest.raises(RuntimeError, match=r"raw\.savepoint"):
            await _bare_savepoint(session)
        # ...raw.savepoint sends them first, so its rollback keeps them.
        with pytest.raises(RuntimeError, match="this part fails"):
            await _fail_in_savepoint(session, slug)
    async with sessionmaker() as session:
        found = (
            await session.exec(select(Cluster).where(Cluster.slug.startswith(slug)))  # type: ignore[attr-defined]
        ).all()
    assert [c.id for c in found] == [kept]
