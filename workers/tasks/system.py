from __future__ import annotations

from sqlalchemy import text

from ticketing.db.engine import SessionMaker
from workers.celery_app import app
from workers.runtime import run


async def _database_answers(sessionmaker: SessionMaker) -> bool:
    async with sessionmaker() as session:
        value = (await (await session.connection()).execute(text("SELECT 1"))).scalar_one()
    return bool(value == 1)


@app.task(name="podium.ping", ignore_result=False)
def ping() -> dict[str, str]:
    """Liveness: the worker runs and reaches the database."""
    return {"worker": "ok", "database": "ok" if run(_database_answers) else "down"}
