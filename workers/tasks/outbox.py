from __future__ import annotations

import uuid

import ticketing.handlers  # noqa: F401 - registers every outbox topic
from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from workers.celery_app import app
from workers.runtime import run


@app.task(name=outbox.PROCESS_TASK)
def process(message_id: str) -> bool:
    async def _process(sessionmaker: SessionMaker) -> bool:
        return await outbox.process(sessionmaker, uuid.UUID(message_id))

    return run(_process)


@app.task(name="podium.outbox.sweep")
def sweep() -> int:
    """Carry out messages whose task was lost or whose retry time has come."""

    async def _sweep(sessionmaker: SessionMaker) -> int:
        done = 0
        for message_id in await outbox.due(sessionmaker):
            done += await outbox.process(sessionmaker, message_id)
        return done

    return run(_sweep)
