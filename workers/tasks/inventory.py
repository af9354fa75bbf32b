from __future__ import annotations

from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.inventory import service
from workers.celery_app import app
from workers.runtime import run


@app.task(name="podium.inventory.release_expired")
def release_expired() -> int:
    """Give back the places of expired holds, so counters and seat rows are clean."""

    async def _release(sessionmaker: SessionMaker) -> int:
        async with unit_of_work(sessionmaker) as session:
            return await service.release_expired(session)

    return run(_release)
