from __future__ import annotations

import uuid

import ticketing.handlers  # noqa: F401 - registers every outbox topic
from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from workers.celery_app import app
from workers.runtime import run


@app.task(name=outbox.PROCESS_TASK)
def process(*message_ids: str) -> int:
    """The messages one API process committed within its sender's linger."""

    async def _process(sessionmaker: SessionMaker) -> int:
        return await outbox.process_all(sessionmaker, [uuid.UUID(m) for m in message_ids])

    return run(_process)


@app.task(name="podium.outbox.sweep")
def sweep() -> int:
    """Carry out messages whose task was lost or whose retry time has come."""

    async def _sweep(sessionmaker: SessionMaker) -> int:
        return await outbox.process_all(sessionmaker, await outbox.due(sessionmaker))

    return run(_sweep)


@app.task(name="podium.outbox.sweep_coalesced")
def sweep_coalesced() -> int:
    """Carry out the coalesced messages that have fallen due (UiTdatabank availability)."""

    async def _sweep(sessionmaker: SessionMaker) -> int:
        return await outbox.process_all(
            sessionmaker, await outbox.due(sessionmaker, coalesced_only=True)
        )

    return run(_sweep)
