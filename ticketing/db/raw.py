"""Plain SQL on the session's own connection, for the paths an on-sale rush runs through.

Building statements and ORM objects costs more Python time than PostgreSQL needs to run
them. The selling path (hold, checkout, pay at the counter) therefore sends hand-written
SQL straight to asyncpg, on the connection and inside the transaction of the request's
unit of work: it commits or rolls back with everything else, exactly as ORM writes do.

Rules for code using it:
- write rows the ORM does not hold in the session (new rows, or rows the request never
  loaded through the ORM), so the session never flushes stale values over them;
- parameters are always bound ($1, $2, ...), never formatted into the SQL;
- jsonb parameters are JSON text (`dumps`); jsonb results arrive decoded;
- a row read here that later code may change through the ORM is `attach`ed to the session,
  and a value written here to a row the session holds is `mirror`ed onto its object.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# asyncpg ships no type information; its connection is typed Any here and nowhere else.
Connection = Any
Record = Any
M = TypeVar("M", bound=SQLModel)


async def connection(session: AsyncSession) -> Connection:
    """The asyncpg connection under the session, inside the session's transaction.

    Changes still pending in the session are flushed first, as the ORM's autoflush would,
    so plain SQL always sees them."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    sa_connection = await session.connection()
    raw = await sa_connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # SQLAlchemy starts its transaction with the first statement it runs.
        await sa_connection.exec_driver_sql("SELECT 1")
    return driver


async def reader(session: AsyncSession) -> Connection:
    """The asyncpg connection under the session for single reads: no transaction is
    started just for them (one round trip instead of three)."""
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
