"""Plain SQL on the session's own connection, for the few statements whose shape the ORM
cannot express well: taking seats and standing places, selling, admitting a scan,
claiming outbox and idempotency rows. Everything else goes through the ORM.

This module is the one seam for such SQL. `connection(session)` (and `single`) give a
`Sql` whose `fetch`, `fetchrow`, `fetchval` and `execute` run a statement with `$1, $2, ...`
parameters on the connection of the session, inside the session's transaction: it
commits or rolls back with everything else, exactly as ORM writes do.

How it runs, with public API only:
- a statement that begins the transaction goes through SQLAlchemy
  (`AsyncConnection.exec_driver_sql`): SQLAlchemy begins the transaction it owns, and
  commits or rolls it back with the session;
- later statements of that transaction go straight to the asyncpg connection under it
  (`PoolProxiedConnection.driver_connection`), which is already in that transaction:
  building SQLAlchemy's execution context costs more Python time than PostgreSQL needs
  for these statements.
Either way a row comes back as a mapping read by column name (asyncpg's Record or
SQLAlchemy's RowMapping), errors as asyncpg's exceptions (`PostgresError` with its
`sqlstate`), jsonb results decoded and jsonb parameters as JSON text (`dumps`).

Writes whose answer nobody waits for (a sold order's tickets, its payment, the order's
history, an outbox message, a basket's status, the idempotency answer, the audit entry)
can be `defer`red: they are sent together, as few statements as possible (`batches`),
just before the session's next plain statement (`connection`, `single`) or by
`send_deferred`, which the unit of work calls before it commits. On an on-sale that
saves about half the round trips of a sale, and the measurement in docs/performance.md
(issue 17) shows the sale needs them: without the batching the benchmark sold about a
quarter fewer orders per second (median of five paired rounds). No Session event hook
sends them, so:
- an ORM query or flush does not send them: code that reads or changes through the ORM
  what was deferred in the same transaction calls `send_deferred` first (the
  repositories' readers of tickets, payments and history do);
- a savepoint begins with `savepoint(session)`, which sends them first, and drops the
  writes deferred inside it when it is rolled back; a rollback of the whole transaction
  drops them too (`discard_deferred`, called by the unit of work).

Rules for code using it:
- parameters are always bound ($1, $2, ...), never formatted into the SQL;
- column lists come from the models (`columns`, `insert_sql`, `array_types`), never
  from hand-kept tuples; tests/db/test_raw.py ties every statement's columns to them;
- write rows the ORM does not hold in the session (new rows, or rows the request never
  loaded through the ORM), so the session never flushes stale values over them; a value
  written here to a row the session holds is `mirror`ed onto its object, and a row read
  here that later code may change through the ORM is `attach`ed to the session.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import configure_mappers, instrumentation, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

M = TypeVar("M", bound=SQLModel)
# A row read by column name: asyncpg's Record or SQLAlchemy's RowMapping.
Row = Mapping[str, Any]

# A session whose statements must all run in its transaction (`transactional`).
_TRANSACTIONAL = "podium.transactional"
_DEFERRED = "podium.deferred_writes"
_CONNECTION = "podium.connection"


class Sql:
    """Plain SQL on one session's connection (see the module's notes)."""

    __slots__ = ("_begin", "_connection", "_driver")

    def __init__(self, connection: AsyncConnection, driver: Any, begin: bool) -> None:
        self._connection = connection
        self._driver = driver  # asyncpg ships no type information
        self._begin = begin

    def in_transaction(self) -> bool:
        """Whether a transaction is begun on the connection."""
        return bool(self._driver.is_in_transaction())

    def commits_alone(self) -> bool:
        """Whether a statement run now commits on its own: no transaction is begun, and
        none will be (`single` on a session that is not `transactional`)."""
        return not self._begin and not self._driver.is_in_transaction()

    def _through_sqlalchemy(self) -> bool:
        return self._begin and not self._driver.is_in_transaction()

    async def _run(self, sql: str, args: Sequence[Any]) -> list[Row]:
        try:
            result = await self._connection.exec_driver_sql(sql, tuple(args))
        except DBAPIError as error:
            # The driver's own error (SQLAlchemy's adapter raises it as the cause).
            cause = error.orig.__cause__ if error.orig is not None else None
            raise (cause or error) from None
        if not result.returns_rows:
            return []
        rows: list[Row] = list(cast("Sequence[Row]", result.mappings().all()))
        return rows

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        if self._through_sqlalchemy():
            return await self._run(sql, args)
        rows: list[Row] = await self._driver.fetch(sql, *args)
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        if self._through_sqlalchemy():
            rows = await self._run(sql, args)
            return rows[0] if rows else None
        row: Row | None = await self._driver.fetchrow(sql, *args)
        return row

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row (None without a row)."""
        if self._through_sqlalchemy():
            rows = await self._run(sql, args)
            return next(iter(rows[0].values())) if rows else None
        return await self._driver.fetchval(sql, *args)

    async def execute(self, sql: str, *args: Any) -> None:
        if self._through_sqlalchemy():
            await self._run(sql, args)
        else:
            await self._driver.execute(sql, *args)


def _transactions(session: AsyncSession) -> tuple[Any, Any]:
    sync = session.sync_session
    return sync.get_transaction(), sync.get_nested_transaction()


async def _sql(session: AsyncSession, begin: bool) -> Sql:
    # Asked again within the same transaction (and savepoint): the same connection. Asked
    # within a new savepoint, the session is asked, which sends the SAVEPOINT.
    cached = session.info.get(_CONNECTION)
    if cached is not None:
        (root, nested), sa_connection, driver = cached
        current_root, current_nested = _transactions(session)
        if root is not None and root is current_root and nested is current_nested:
            return Sql(sa_connection, driver, begin)
    sa_connection = await session.connection()
    pooled = await sa_connection.get_raw_connection()
    driver = pooled.driver_connection
    session.info[_CONNECTION] = (_transactions(session), sa_connection, driver)
    return Sql(sa_connection, driver, begin)


async def connection(session: AsyncSession) -> Sql:
    """Plain SQL inside the session's transaction (begun by the first statement if need
    be). The writes deferred so far are sent first, then changes still pending in the
    session flushed (as the ORM's autoflush would), so plain SQL always sees both, and an
    ORM row may refer to a row a deferred write inserted."""
    sql = await _sql(session, begin=True)
    pending = session.info.pop(_DEFERRED, None)
    for statement, params in batches(pending or []):
        await sql.execute(statement, *params)
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return sql


async def single(session: AsyncSession) -> Sql:
    """Plain SQL for a statement that needs no transaction of its own: a single read, or a
    request's only write (one statement is atomic). When the request has not begun a
    transaction, none is begun for it (one round trip instead of three) and a write
    commits on its own; otherwise it runs in that transaction, as for `connection`
    (which it is for a session marked `transactional` or holding unflushed changes)."""
    if (
        session.info.get(_TRANSACTIONAL)
        or session.info.get(_DEFERRED)
        or session.new
        or session.dirty
        or session.deleted
    ):
        return await connection(session)
    return await _sql(session, begin=False)


def transactional(session: AsyncSession) -> None:
    """Run every later statement of this session in its transaction: a write made with
    `single` then commits with the rest of the request instead of on its own."""
    session.info[_TRANSACTIONAL] = True


# --- deferred writes ---------------------------------------------------------------------

_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)
_PARAMETER = re.compile(r"\$(\d+)")
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
    """Send this write (one INSERT, UPDATE or DELETE) with the session's next plain
    statement or `send_deferred`; see the module's notes."""
    if _written(sql) is None:
        raise ValueError("only a single INSERT, UPDATE or DELETE can be deferred")
    session.info.setdefault(_DEFERRED, []).append((sql, args))


async def send_deferred(session: AsyncSession) -> None:
    """Send the writes deferred so far (nothing when there are none)."""
    if session.info.get(_DEFERRED):
        await connection(session)


def discard_deferred(session: AsyncSession) -> None:
    """Forget the writes deferred so far (the transaction is rolled back)."""
    session.info.pop(_DEFERRED, None)


@asynccontextmanager
async def savepoint(session: AsyncSession) -> AsyncIterator[None]:
    """`session.begin_nested()`, with the writes deferred before it sent first (its
    rollback must not take them along) and those deferred inside it dropped with it."""
    await send_deferred(session)
    try:
        async with session.begin_nested():
            yield
    except BaseException:
        discard_deferred(session)
        raise


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


# --- column lists, from the models ----------------------------------------------------------

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def table_of(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


def columns(model: type[SQLModel], *, without: Collection[str] = ()) -> tuple[str, ...]:
    """The model's column names, in the table's order."""
    return tuple(c.name for c in table_of(model).columns if c.name not in without)


def select_list(names: Sequence[str], alias: str = "", prefix: str = "") -> str:
    """`a.x AS px, a.y AS py, ...` (or just the names) for a SELECT."""
    qualifier = f"{alias}." if alias else ""
    return ", ".join(
        f"{qualifier}{name}" + (f" AS {prefix}{name}" if prefix else "") for name in names
    )


def insert_sql(
    model: type[SQLModel], names: Sequence[str] | None = None, suffix: str = "", first: int = 1
) -> str:
    """INSERT INTO table (columns) VALUES ($first, ...) for `values(obj, columns)`; every
    column of the model by default."""
    names = columns(model) if names is None else names
    placeholders = ", ".join(f"${first + i}" for i in range(len(names)))
    table = table_of(model).name
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({placeholders}) {suffix}".rstrip()


def array_types(model: type[SQLModel], names: Sequence[str]) -> tuple[str, ...]:
    """PostgreSQL's names of these columns' types, for `unnest($n::type[])`."""
    table = table_of(model)
    return tuple(table.columns[name].type.compile(dialect=_DIALECT) for name in names)


@lru_cache(maxsize=256)
def _json_columns(model: type[SQLModel]) -> frozenset[str]:
    return frozenset(c.name for c in table_of(model).columns if isinstance(c.type, JSONB))


def values(obj: SQLModel, names: Sequence[str]) -> list[Any]:
    """The object's values of these columns, as parameters (jsonb ones as JSON text)."""
    as_json = _json_columns(type(obj))
    return [dumps(getattr(obj, n)) if n in as_json else getattr(obj, n) for n in names]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


# --- row objects --------------------------------------------------------------------------

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


def build_from(cls: type[M], row: Row) -> M:
    """A row object of a table model from a row read by name (every column of the model)."""
    return build(cls, **{name: row[name] for name in columns(cls)})


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
