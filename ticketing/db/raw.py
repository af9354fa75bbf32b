"""Plain SQL on the session's own connection, for the paths an on-sale rush runs through.

Building statements and ORM objects costs more Python time than PostgreSQL needs to run
them. The selling path (hold, checkout, pay at the counter) therefore sends hand-written
SQL straight to asyncpg, on the connection and inside the transaction of the request's
unit of work: it commits or rolls back with everything else, exactly as ORM writes do.

Writes whose answer nobody waits for (a ticket row, a payment, the order's history, an
outbox message) can be `defer`red: they are sent together, as one statement, just before
the session's next statement of any kind (plain SQL, an ORM query or flush) or its commit.
Every read still sees every earlier write; a request simply makes fewer round trips.

Rules for code using it:
- write rows the ORM does not hold in the session (new rows, or rows the request never
  loaded through the ORM), so the session never flushes stale values over them;
- deferred writes run in order, batched safely (see `batches`); their SQL holds no `$`
  other than its parameters;
- parameters are always bound ($1, $2, ...), never formatted into the SQL;
- jsonb parameters are JSON text (`dumps`); jsonb results arrive decoded;
- a row read here that later code may change through the ORM is `attach`ed to the session,
  and a value written here to a row the session holds is `mirror`ed onto its object.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import (
    ORMExecuteState,
    Session,
    SessionTransaction,
    UOWTransaction,
    configure_mappers,
    instrumentation,
    make_transient_to_detached,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.util import await_only
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# asyncpg ships no type information; its connection is typed Any here and nowhere else.
Connection = Any
Record = Any
M = TypeVar("M", bound=SQLModel)


_DEFERRED = "podium.deferred_writes"
_CONNECTION = "podium.connection"
_PARAMETER = re.compile(r"\$(\d+)")


_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)
Deferred = tuple[str, tuple[Any, ...]]


@lru_cache(maxsize=1024)
def _written(sql: str) -> tuple[str, bool] | None:
    """The table a single write changes, and whether it is an insert (None if the
    statement is not a single INSERT, UPDATE or DELETE). The application sends a few
    dozen different statements, so each is looked at once."""
    match = _WRITE.match(sql)
    if match is None:
        return None
    return match.group(2).lower(), match.group(1).upper().startswith("INSERT")


def defer(session: AsyncSession, sql: str, *args: Any) -> None:
    """Send this write (one INSERT, UPDATE or DELETE) with the session's next statement;
    see the module's notes."""
    if _written(sql) is None:
        raise ValueError("only a single INSERT, UPDATE or DELETE can be deferred")
    session.info.setdefault(_DEFERRED, []).append((sql, args))


def batches(pending: list[Deferred]) -> list[tuple[str, list[Any]]]:
    """Deferred writes as few statements as possible: each becomes a WITH part with its
    parameters renumbered. PostgreSQL runs every part exactly once, but all of them on the
    snapshot taken before the statement: an update or delete does not see rows inserted
    by its neighbours, and one row changed twice keeps only one change. So inserts into a
    table share a statement, while an update or delete starts a new statement when its
    table was already written in the current one (and an insert does after them)."""
    groups: list[list[Deferred]] = [[]]
    written: dict[str, bool] = {}  # table -> changed other than by inserts
    for sql, args in pending:
        written_by = _written(sql)
        assert written_by is not None
        table, insert = written_by
        if table in written and (written[table] or not insert):
            groups.append([])
            written = {}
        written[table] = written.get(table, False) or not insert
        groups[-1].append((sql, args))
    return [_statement(group) for group in groups if group]


@lru_cache(maxsize=1024)
def renumber(sql: str, offset: int) -> str:
    """The statement with its parameters $1, $2, ... moved up by offset (to join another)."""
    return _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", sql)


def _statement(group: list[Deferred]) -> tuple[str, list[Any]]:
    if len(group) == 1:
        sql, args = group[0]
        return sql, list(args)
    params: list[Any] = []
    for _, args in group:
        params.extend(args)
    return _joined(tuple((sql, len(args)) for sql, args in group)), params


@lru_cache(maxsize=1024)
def _joined(parts: tuple[tuple[str, int], ...]) -> str:
    """One statement of several writes (each with its number of parameters)."""
    joined: list[str] = []
    offset = 0
    for i, (sql, count) in enumerate(parts):
        joined.append(f"w{i} AS ({renumber(sql, offset)})")
        offset += count
    return "WITH " + ", ".join(joined) + " SELECT 1"


async def _driver(pooled: Any) -> Connection:
    """The asyncpg connection under SQLAlchemy's pooled connection, in its transaction."""
    driver = pooled.driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # SQLAlchemy's asyncpg adapter begins its transaction with the first statement it
        # runs; begin it here instead (BEGIN alone, not BEGIN plus a statement). The
        # adapter then commits or rolls it back with the session, as its own.
        await pooled.dbapi_connection._start_transaction()
    return driver


async def _send_deferred(info: dict[Any, Any], driver: Connection) -> None:
    pending = info.pop(_DEFERRED, None)
    for sql, params in batches(pending or []):
        await driver.execute(sql, *params)


async def connection(session: AsyncSession) -> Connection:
    """The asyncpg connection under the session, inside the session's transaction.

    Changes still pending in the session are sent first (ORM changes, as the ORM's
    autoflush would, and deferred writes), so plain SQL always sees them."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    transaction = session.sync_session.get_transaction()
    cached = session.info.get(_CONNECTION)
    if transaction is not None and cached is not None and cached[0] is transaction:
        # Asked again within the same transaction: the same connection, already begun.
        driver = cached[1]
    else:
        driver = await _driver(await (await session.connection()).get_raw_connection())
        session.info[_CONNECTION] = (session.sync_session.get_transaction(), driver)
    await _send_deferred(session.info, driver)
    return driver


def _send_deferred_sync(session: Session) -> None:
    """The same from the ORM's own (synchronous, greenlet-run) side."""
    if not session.info.get(_DEFERRED):
        return
    driver = await_only(_driver(session.connection().connection))
    await_only(_send_deferred(session.info, driver))


@event.listens_for(Session, "do_orm_execute")
def _before_orm_statement(state: ORMExecuteState) -> None:
    _send_deferred_sync(state.session)


@event.listens_for(Session, "before_flush")
def _before_orm_flush(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    _send_deferred_sync(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _send_deferred_sync(session)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """`session.begin_nested()`, with the writes deferred before it sent first: a savepoint
    rolled back must not take them along."""
    await connection(session)
    async with session.begin_nested():
        yield


@event.listens_for(Session, "after_transaction_create")
def _no_savepoint_over_deferred(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested and session.info.get(_DEFERRED):
        raise RuntimeError("writes are deferred: begin the savepoint with raw.savepoint")


def discard_deferred(session: AsyncSession | Session) -> None:
    session.info.pop(_DEFERRED, None)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    # Writes deferred inside a savepoint go with it; those from before it were sent when
    # it began (raw.savepoint).
    discard_deferred(session)


async def single(session: AsyncSession) -> Connection:
    """The asyncpg connection under the session for a statement that needs no transaction
    of its own: a single read, or a request's only write (one statement is atomic). When
    the request has not begun a transaction, none is begun for it (one round trip instead
    of three) and a write commits on its own; otherwise it runs in that transaction, and
    writes still pending are sent first, as for `connection`."""
    if session.info.get(_DEFERRED) or session.new or session.dirty or session.deleted:
        return await connection(session)
    sa_connection = await session.connection()
    raw = await sa_connection.get_raw_connection()
    return raw.driver_connection


def insert_sql(table: str, columns: tuple[str, ...], suffix: str = "") -> str:
    """INSERT INTO table (columns) VALUES ($1, ...) for `values(obj, columns)`."""
    placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders}) {suffix}"


def values(obj: Any, columns: tuple[str, ...]) -> list[Any]:
    return [getattr(obj, c) for c in columns]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


_DEFAULTS: dict[type[Any], list[tuple[str, Any, Any]]] = {}


def _defaults(cls: type[SQLModel]) -> list[tuple[str, Any, Any]]:
    found = _DEFAULTS.get(cls)
    if found is None:
        # Loading rows sets up the mappers first; building them does the same.
        configure_mappers()
        found = [
            (name, field.default, field.default_factory)
            for name, field in cls.model_fields.items()
            if not field.is_required()
        ]
        _DEFAULTS[cls] = found
    return found


def build(cls: type[M], **values: Any) -> M:
    """A row object of a table model, built the way the ORM builds the rows it loads:
    values go straight in, without pydantic's and SQLAlchemy's per-attribute work (about
    a tenth of the cost of `cls(**values)`). Nothing is validated, so pass what the
    columns hold; fields left out take their defaults."""
    for name, default, factory in _defaults(cls):
        if name not in values:
            values[name] = factory() if factory is not None else default
    obj: M = instrumentation.manager_of_class(cls).new_instance()
    obj.__dict__.update(values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def mirror(obj: SQLModel, **values: Any) -> None:
    """Record values written by plain SQL on the session's object for that row, without
    making them a change the session would write again."""
    for key, value in values.items():
        set_committed_value(obj, key, value)


async def attach(session: AsyncSession, obj: M) -> M:
    """Make an object built from a plain-SQL read (or insert) a loaded row of the session,
    so later ORM changes to it are written as updates."""
    make_transient_to_detached(obj)
    existing = session.identity_map.get(inspect(obj).key)
    if existing is not None:
        # Loaded earlier in this session: read it again rather than keep two copies.
        await session.refresh(existing)
        return existing  # type: ignore[no-any-return]
    session.add(obj)
    return obj
