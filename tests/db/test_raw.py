"""The plain-SQL seam (ticketing/db/raw.py): statements run in the session's transaction
through public API only, rows are read by name, deferred writes go out when and only when
they should, and every column list of its statements is tied to the models."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import fields
from pathlib import Path
from types import ModuleType

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock, models  # noqa: F401  (every table in the metadata)
from ticketing.checkin import scanning
from ticketing.core import idempotency, outbox, ratelimit
from ticketing.customers import repository as customers_repo
from ticketing.db import raw
from ticketing.db.uow import unit_of_work
from ticketing.events.models import Event, Performance, Tariff
from ticketing.inventory import repository as inventory_repo
from ticketing.inventory.models import Allocation, Hold
from ticketing.orders import repository as orders_repo
from ticketing.orders.models import Order, Payment, Ticket
from ticketing.tenancy import audit
from ticketing.tenancy.models import AuditEntry, Cluster
from ticketing.uitdatabank import availability

ROOT = Path(__file__).resolve().parents[2]
INSERT = (
    "INSERT INTO cluster (id, created_at, updated_at, slug, name, is_demo)"
    " VALUES ($1, $2, $2, $3, $4, false)"
)
NAME = "SELECT name FROM cluster WHERE slug = $1"


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session of its own (not the tests' rolled-back connection): these tests are about
    when a transaction begins and what commits. Its clusters are removed afterwards."""
    async with AsyncSession(engine, expire_on_commit=False) as own:
        yield own
    async with AsyncSession(engine) as cleanup:
        connection = await raw.connection(cleanup)
        await connection.execute("DELETE FROM cluster WHERE slug LIKE 'raw-%'")
        await cleanup.commit()


def _slug() -> str:
    return f"raw-{uuid.uuid4().hex[:10]}"


async def _name(engine: AsyncEngine, slug: str) -> str | None:
    async with AsyncSession(engine) as other:
        return await (await raw.single(other)).fetchval(NAME, slug)  # type: ignore[no-any-return]


async def test_plain_sql_runs_in_the_sessions_transaction(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    gone, kept = _slug(), _slug()
    connection = await raw.connection(session)
    assert not connection.in_transaction()
    # The first statement begins SQLAlchemy's transaction; the next run in it.
    await connection.execute(INSERT, uuid.uuid4(), clock.now(), gone, "Gone")
    assert connection.in_transaction()
    assert await connection.fetchval(NAME, gone) == "Gone"
    await session.rollback()
    assert await _name(engine, gone) is None
    connection = await raw.connection(session)
    await connection.execute(INSERT, uuid.uuid4(), clock.now(), kept, "Kept")
    session.add(Cluster(slug=kept + "-orm", name="Beside"))
    await session.commit()
    assert await _name(engine, kept) == "Kept"
    assert await _name(engine, kept + "-orm") == "Beside"


async def test_plain_sql_sees_what_the_session_has_not_flushed(session: AsyncSession) -> None:
    slug = _slug()
    session.add(Cluster(slug=slug, name="Pending"))
    connection = await raw.connection(session)
    assert await connection.fetchval(NAME, slug) == "Pending"


async def test_a_single_statement_commits_on_its_own_unless_the_session_is_transactional(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    alone, joined = _slug(), _slug()
    single = await raw.single(session)
    assert single.commits_alone()
    await single.execute(INSERT, uuid.uuid4(), clock.now(), alone, "Alone")
    assert not single.in_transaction()
    await session.rollback()
    assert await _name(engine, alone) == "Alone"
    raw.transactional(session)
    single = await raw.single(session)
    assert not single.commits_alone()
    await single.execute(INSERT, uuid.uuid4(), clock.now(), joined, "Joined")
    assert single.in_transaction()
    await session.rollback()
    assert await _name(engine, joined) is None


async def test_errors_are_the_drivers_whichever_way_the_statement_went(
    session: AsyncSession,
) -> None:
    slug = _slug()
    first = uuid.uuid4()
    connection = await raw.connection(session)
    with pytest.raises(asyncpg.UndefinedTableError):
        await connection.execute("SELECT FROM no_such_table")  # through SQLAlchemy
    await session.rollback()
    connection = await raw.connection(session)
    await connection.execute(INSERT, first, clock.now(), slug, "First")
    with pytest.raises(asyncpg.UniqueViolationError) as raised:
        await connection.execute(INSERT, first, clock.now(), slug + "-2", "Again")  # direct
    assert raised.value.sqlstate == "23505"


async def test_rows_are_read_by_name_whichever_way_the_statement_went(
    session: AsyncSession,
) -> None:
    slug = _slug()
    connection = await raw.connection(session)
    await connection.execute(INSERT, uuid.uuid4(), clock.now(), slug, "Named")
    through_sqlalchemy = await (await raw.connection(session)).fetchrow(
        "SELECT slug, name FROM cluster WHERE slug = $1", slug
    )
    await session.rollback()
    connection = await raw.connection(session)
    await connection.execute(INSERT, uuid.uuid4(), clock.now(), slug, "Named")
    direct = await connection.fetchrow("SELECT slug, name FROM cluster WHERE slug = $1", slug)
    for row in (through_sqlalchemy, direct):
        assert row is not None
        assert (row["slug"], row["name"]) == (slug, "Named")


# --- deferred writes ---------------------------------------------------------------------

RENAME = "UPDATE cluster SET name = $2 WHERE id = $1"
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


def test_only_single_writes_are_deferred(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="INSERT, UPDATE or DELETE"):
        raw.defer(session, "SELECT 1")


async def test_deferred_writes_go_before_the_next_statement_and_with_the_commit(
    engine: AsyncEngine,
) -> None:
    slug = _slug()
    async with unit_of_work(async_sessionmaker(engine, class_=AsyncSession)) as session:
        first = uuid.uuid4()
        raw.defer(session, INSERT, first, clock.now(), slug, "First")
        raw.defer(session, RENAME, first, "Renamed")
        # Plain SQL sends them first...
        connection = await raw.connection(session)
        assert await connection.fetchval(NAME, slug) == "Renamed"
        # ...an explicit send does, for an ORM query that reads them...
        raw.defer(session, INSERT, uuid.uuid4(), clock.now(), slug + "-b", "Second")
        await raw.send_deferred(session)
        found = (await session.exec(select(Cluster).where(Cluster.slug == slug + "-b"))).one()
        assert found.name == "Second"
        # ...and the unit of work sends what is still pending before it commits.
        raw.defer(session, INSERT, uuid.uuid4(), clock.now(), slug + "-c", "Third")
    assert await _name(engine, slug + "-c") == "Third"
    async with AsyncSession(engine) as cleanup:
        connection = await raw.connection(cleanup)
        await connection.execute("DELETE FROM cluster WHERE slug LIKE $1", slug + "%")
        await cleanup.commit()


async def _refused_after_deferring(engine: AsyncEngine, slug: str) -> None:
    async with unit_of_work(async_sessionmaker(engine, class_=AsyncSession)) as session:
        await (await raw.connection(session)).fetchval("SELECT 1")
        raw.defer(session, INSERT, uuid.uuid4(), clock.now(), slug, "Dropped")
        raise RuntimeError("refused")


async def test_a_rollback_drops_deferred_writes(engine: AsyncEngine) -> None:
    slug = _slug()
    with pytest.raises(RuntimeError, match="refused"):
        await _refused_after_deferring(engine, slug)
    assert await _name(engine, slug) is None


async def _fail_in_savepoint(session: AsyncSession, slug: str) -> None:
    async with raw.savepoint(session):
        raw.defer(session, INSERT, uuid.uuid4(), clock.now(), slug + "-inside", "Inside")
        session.add(Cluster(slug=slug + "-gone", name="Gone"))
        await session.flush()
        raise RuntimeError("this part fails")


async def test_a_savepoint_rolled_back_keeps_the_writes_deferred_before_it(
    session: AsyncSession,
) -> None:
    slug = _slug()
    kept = uuid.uuid4()
    raw.defer(session, INSERT, kept, clock.now(), slug, "Kept")
    with pytest.raises(RuntimeError, match="this part fails"):
        await _fail_in_savepoint(session, slug)
    connection = await raw.connection(session)
    rows = await connection.fetch("SELECT id FROM cluster WHERE slug LIKE $1", slug + "%")
    assert [r["id"] for r in rows] == [kept]


# --- every column list of the plain SQL, tied to the models ---------------------------------

MODULES: list[ModuleType] = [
    inventory_repo,
    orders_repo,
    outbox,
    idempotency,
    ratelimit,
    audit,
    customers_repo,
    scanning,
    availability,
]
_INSERT = re.compile(r"INSERT INTO (\w+)\s*\(([^)]*)\)", re.IGNORECASE)


def _statements() -> list[tuple[str, str]]:
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, str) and "INSERT INTO" in value.upper():
                found.append((f"{module.__name__}.{name}", value))
            elif hasattr(value, "text") and "INSERT INTO" in str(value.text).upper():
                found.append((f"{module.__name__}.{name}", str(value.text)))
    return found


def test_every_insert_names_columns_of_its_table_and_leaves_out_none_required() -> None:
    statements = _statements()
    assert len(statements) >= 10  # the scan finds the statements it is meant to check
    tables = SQLModel.metadata.tables
    for where, sql in statements:
        for table_name, column_list in _INSERT.findall(sql):
            table = tables[table_name]
            named = [c.strip() for c in column_list.split(",")]
            unknown = set(named) - set(table.columns.keys())
            assert not unknown, f"{where}: {table_name} has no column {unknown}"
            required = {
                c.name
                for c in table.columns
                if not c.nullable and c.default is None and c.server_default is None
            }
            assert required <= set(named), f"{where}: leaves out {required - set(named)}"


def test_rows_read_into_typed_objects_name_columns_of_the_models() -> None:
    allocation = set(raw.columns(Allocation))
    assert set(inventory_repo.PLACE_FIELDS) <= allocation
    assert {f.name for f in fields(inventory_repo.Released)} <= allocation
    assert set(orders_repo.TARIFF_FIELDS) <= set(raw.columns(Tariff))
    for field in fields(inventory_repo.SaleTarget):
        event_column = inventory_repo.SALE_TARGET_EVENT_FIELDS.get(field.name)
        if event_column is not None:
            assert event_column in raw.columns(Event)
        else:
            assert field.name in raw.columns(Performance)
    # Derived, so a new column of the model is written and read with the rest.
    assert raw.columns(Hold) == inventory_repo.HOLD_COLUMNS
    assert raw.columns(Ticket) == orders_repo.TICKET_COLUMNS
    assert raw.columns(Order) == orders_repo.ORDER_COLUMNS
    assert raw.columns(Payment) == orders_repo.PAYMENT_COLUMNS
    assert raw.columns(AuditEntry) == audit.COLUMNS


async def test_the_ticket_insert_is_valid_for_the_table(db: AsyncSession) -> None:
    # One array per column, cast to the column's own type: PostgreSQL accepts the casts.
    connection = await raw.connection(db)
    await connection.execute(
        orders_repo.INSERT_TICKETS.replace("INSERT INTO ticket", "EXPLAIN INSERT INTO ticket"),
        *([] for _ in orders_repo.TICKET_COLUMNS),
    )


# --- what the selling path no longer does ---------------------------------------------------

_POSITIONAL = re.compile(r"\brows?\[\d+\]\[|\b(?:row|r)\[\d+\]|\[0\]\[\d")


def test_no_private_api_no_session_hooks_and_no_row_read_by_position() -> None:
    for path in sorted((ROOT / "ticketing").rglob("*.py")):
        source = path.read_text()
        assert "_start_transaction" not in source, path
        assert "listens_for(Session" not in source, path
        assert not _POSITIONAL.search(source), f"{path}: {_POSITIONAL.search(source)}"


def test_only_the_unit_of_work_commits_a_session_that_may_hold_deferred_writes() -> None:
    # No Session hook sends deferred writes at a commit: unit_of_work sends them first.
    # The rate limiter commits sessions of its own, which never defer. The benchmarks
    # commit only right after sending them.
    allowed = {ROOT / "ticketing/db/uow.py", ROOT / "ticketing/core/ratelimit.py"}
    paths = [*(ROOT / "ticketing").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    for path in sorted(paths):
        if path in allowed:
            continue
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        for before, line in zip(["", *lines], lines, strict=False):
            if line == "await session.commit()":
                assert before == "await raw.send_deferred(session)", path


# --- row objects ----------------------------------------------------------------------------


async def test_a_built_object_is_a_full_row_object(db: AsyncSession) -> None:
    slug = _slug()
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
    found = (await db.exec(select(Cluster).where(Cluster.slug == slug))).one()
    assert found.name == "Renamed"
