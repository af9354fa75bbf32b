"""The outbox: side effects that must never be lost are written as rows in the same
transaction as the change that causes them, then carried out by a worker.

After commit the API sends `podium.outbox.process(id, ...)` (the ids its sender gathered
within a few hundredths of a second go in one message); if that message is lost (broker
down, crash between commit and send) the periodic sweep finds the row. Processing locks
the row (SKIP LOCKED), runs the handler and marks the row done in one transaction, so a
handler's database effects happen exactly once; its external effects must be idempotent
(they get the message id to deduplicate with).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock, jobs
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

    __table_args__ = (
        Index(
            "ix_outbox_message_due", "available_at", postgresql_where=text("processed_at IS NULL")
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


def put(
    session: AsyncSession, topic: str, payload: dict[str, Any], *, house_id: uuid.UUID | None = None
) -> OutboxMessage:
    """Store a message in the request's transaction (written with its next statement) and
    send its task once the transaction has committed."""
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
    raw.defer(
        session,
        "INSERT INTO outbox_message (id, topic, payload, house_id, created_at, available_at,"
        " attempts) VALUES ($1, $2, $3, $4, $5, $5, 0)",
        message.id,
        topic,
        raw.dumps(payload),
        house_id,
        now,
    )
    jobs.enqueue_after_commit(session, PROCESS_TASK, str(message.id))
    return message


def backoff(attempts: int) -> timedelta:
    exponent = min(max(0, attempts - 1), 20)  # 5 s * 2**20 is far past the cap already
    return min(timedelta(seconds=5 * 2**exponent), MAX_BACKOFF)


_CLAIM = """
    SELECT id, topic, payload, house_id, created_at, available_at, attempts
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
            message = raw.build(OutboxMessage, **dict(row), processed_at=None, last_error=None)
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


async def due(sessionmaker: SessionMaker, limit: int = 100) -> list[uuid.UUID]:
    async with sessionmaker() as session:
        stmt = (
            select(OutboxMessage.id)
            .where(
                col(OutboxMessage.processed_at).is_(None), OutboxMessage.available_at <= clock.now()
            )
            .order_by(col(OutboxMessage.available_at))
            .limit(limit)
        )
        return list((await session.exec(stmt)).all())
