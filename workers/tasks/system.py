from __future__ import annotations

from typing import Any

from ticketing.core import outbox
from ticketing.db.engine import SessionMaker
from ticketing.db.engine import ping as db_ping
from workers.celery_app import app
from workers.runtime import run


async def _database_answers(sessionmaker: SessionMaker) -> bool:
    await db_ping(sessionmaker)  # raises when the database gives no answer
    return True


@app.task(name="podium.ping", ignore_result=False)
def ping() -> dict[str, str]:
    """Liveness: the worker runs and reaches the database."""
    return {"worker": "ok", "database": "ok" if run(_database_answers) else "down"}


@app.task(name="podium.registered", ignore_result=False)
def registered() -> dict[str, list[str]]:
    """What this worker process can carry out, as it sees it: its tasks, the tasks the beat
    sends, and the outbox topics it has handlers for. Works on every broker (the SQL
    transport has no broadcast, so `celery inspect` cannot reach a worker there)."""
    schedule: dict[str, dict[str, Any]] = app.conf.beat_schedule
    return {
        "tasks": sorted(name for name in app.tasks if not name.startswith("celery.")),
        "scheduled": sorted({entry["task"] for entry in schedule.values()}),
        "outbox_topics": sorted(outbox.HANDLERS),
    }
