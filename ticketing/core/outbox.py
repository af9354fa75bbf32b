"""The outbox: side effects that must never be lost are written as rows in the same
transaction as the change that causes them, then carried out by a worker.

After commit the API sends `podium.outbox.process(id, ...)` (the ids its sender gathered
within a few hundredths of a second go in one message); if that message is lost (broker
down, crash between commit and send) the periodic sweep finds the row. Processing locks
the row (SKIP LOCKED), runs the handler and marks the row done in one transaction, so a
handler's database effects happen exactly once; its external effects must be idempotent
(they get the message id to deduplicate with).

Coalescing: a message with a `coalesce_key` stands for "this needs doing" rather than for
one change. While one with that key waits, others are not stored (`put_coalesced`), so a
burst of changes gives one message, carried out when it falls due. `due()` takes the key
off the messages it returns before they run: a change committed while one runs stores a
new message and is not lost in the one already running.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import jobs
from ticketing.db import raw
from ticketing.db.base import IdMixin, TimestampField, utcnow
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work

log = logging.getLogger(__name__)

PROCESS_TASK = "podium.outbox.process"
jobs.MERGED.add(PROCESS_TASK)
MAX_BACKOFF = timedelta(minutes=30)


class OutboxMessage(IdMixin, table=True):
    __tablename__ = "outbox_message"

    topic: str = Field(max_length=100)
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    house_id: uuid.UUID | None = Field(default=None, foreign_key="house.id", ondelete="CASCADE")
    created_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    available_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    processed_at: datetime | None = TimestampField(default=None, nullable=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=2000)
    # Set on a message that stands for any number of like changes (see put_coalesced).
    coalesce_key: str | None = Field(default=None, max_length=200)

    __table_args__ = (
        Index(
            "ix_outbox_message_due", "available_at", postgresql_where=text("processed_at IS NULL")
        ),
        Index(
            "ux_outbox_message_waiting",
            "coalesce_key",
            unique=True,
            postgresql_where=text("processed_at IS NULL"),
        ),
    )


Handler = Callable[[AsyncSession, OutboxMessage], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}


def handler(topic: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if topic in HANDLERS:
            raise ValueError(f"outbox topic {topic!r} has two handlers")
        HANDLERS[topic] = fn
        return fn

    return register


_COLUMNS = raw.columns(OutboxMessage)
_PUT = raw.insert_sql(OutboxMessage, _COLUMNS)


def put(
    session: AsyncSession, topic: str, payload: dict[str, Any], *, house_id: uuid.UUID | None = None
) -> OutboxMessage:
    """Store a message in the request's transaction (a deferred write: sent with its next
    plain statement or its commit) and send its task once the transaction has committed."""
    if topic not in HANDLERS:
        raise ValueError(f"no handler for outbox topic {topic!r}")
    now = clock.now()
    message = raw.build(
        OutboxMessage,
        topic=topic,
        payload=payload,
        house_id=house_id,
        created_at=now,
        available_at=now,
    )
    raw.defer(session, _PUT, *raw.values(message, _COLUMNS))
    jobs.enqueue_after_commit(session, PROCESS_TASK, str(message.id))
    return message


# Stored unless a message with its key is waiting. Sent with the transaction's commit, and
# never blocks it on the waiting message: DO NOTHING takes no lock on the row it meets.
_PUT_COALESCED = """
    INSERT INTO outbox_message (id, topic, payload, house_id, created_at, available_at,
                                attempts, coalesce_key)
    VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
    ON CONFLICT (coalesce_key) WHERE processed_at IS NULL DO NOTHING
"""


def put_coalesced(
    session: AsyncSession,
    topic: str,
    payload: dict[str, Any],
    key: str,
    *,
    delay: timedelta,
    house_id: uuid.UUID | None = None,
) -> None:
    """Store a message with this transaction unless one with the same key is waiting; it
    falls due after `delay` and the sweep of waiting messages carries it out (no task is
    sent). The handler must read the state it reports when it runs, not from the payload:
    the payload is that of the first change of the burst."""
    if topic not in HANDLERS:
        raise ValueError(f"no handler for outbox topic {topic!r}")
    now = clock.now()
    raw.defer(
        session,
        _PUT_COALESCED,
        uuid.uuid4(),
        topic,
        raw.dumps(payload),
        house_id,
        now,
        now + delay,
        key,
    )


def backoff(attempts: int) -> timedelta:
    exponent = min(max(0, attempts - 1), 20)  # 5 s * 2**20 is far past the cap already
    return min(timedelta(seconds=5 * 2**exponent), MAX_BACKOFF)


_CLAIM = f"""
    SELECT {raw.select_list(_COLUMNS)}
    FROM outbox_message WHERE id = $1 AND processed_at IS NULL
    FOR UPDATE SKIP LOCKED
"""
_DONE = (
    "UPDATE outbox_message SET processed_at = $2, attempts = $3, last_error = NULL WHERE id = $1"
)
_ATTEMPTS = "SELECT attempts FROM outbox_message WHERE id = $1 AND processed_at IS NULL FOR UPDATE"
_FAILED = (
    "UPDATE outbox_message SET attempts = $2, last_error = $3, available_at = $4 WHERE id = $1"
)


async def process(sessionmaker: SessionMaker, message_id: uuid.UUID) -> bool:
    """Carry out one message; False if it was done already, another worker holds it, or it
    failed (then recorded, to be tried again after a backoff)."""
    try:
        async with unit_of_work(sessionmaker) as session:
            row = await (await raw.connection(session)).fetchrow(_CLAIM, message_id)
            if row is None:
                return False
            message = raw.build_from(OutboxMessage, row)
            await HANDLERS[message.topic](session, message)
            # Marked done by the transaction that carried it out (sent with its commit).
            raw.defer(session, _DONE, message_id, clock.now(), message.attempts + 1)
    except Exception as exc:
        # The handler's writes went with the transaction; record why in one of its own.
        error = f"{type(exc).__name__}: {exc}"[:2000]
        async with unit_of_work(sessionmaker) as session:
            connection = await raw.connection(session)
            attempts = await connection.fetchval(_ATTEMPTS, message_id)
            if attempts is not None:  # not done meanwhile by another worker
                attempts += 1
                retry = clock.now() + backoff(attempts)
                await connection.execute(_FAILED, message_id, attempts, error, retry)
        log.warning("outbox message %s failed: %s", message_id, error)
        return False
    return True


async def process_all(sessionmaker: SessionMaker, message_ids: list[uuid.UUID]) -> int:
    """Carry out the messages one after the other, each in its own transaction: one that
    fails waits for its retry and does not hold up the others. Returns how many were done."""
    done = 0
    for message_id in message_ids:
        done += await process(sessionmaker, message_id)
    return done


# The due messages, oldest first; the coalescing key of each is taken off as it is
# returned (see the module's docstring). Messages a worker holds are left to it.
_DUE = """
    WITH due AS (
        SELECT id, available_at, coalesce_key FROM outbox_message
        WHERE processed_at IS NULL AND available_at <= $1 AND ($3 OR coalesce_key IS NOT NULL)
        ORDER BY available_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
    ), released AS (
        UPDATE outbox_message m SET coalesce_key = NULL
        FROM due WHERE m.id = due.id AND due.coalesce_key IS NOT NULL
    )
    SELECT id FROM due ORDER BY available_at
"""


async def due(
    sessionmaker: SessionMaker, limit: int = 100, *, coalesced_only: bool = False
) -> list[uuid.UUID]:
    """The messages to carry out now: every due one, or only the coalesced ones (their
    sweep runs every second or so; the general one is for lost tasks and retries)."""
    async with unit_of_work(sessionmaker) as session:
        connection = await raw.connection(session)
        rows = await connection.fetch(_DUE, clock.now(), limit, not coalesced_only)
        return [r["id"] for r in rows]
