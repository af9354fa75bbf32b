from __future__ import annotations

from ticketing.db.engine import SessionMaker
from ticketing.db.uow import unit_of_work
from ticketing.orders import lifecycle
from workers.celery_app import app
from workers.runtime import run


@app.task(name="podium.orders.expire_due")
def expire_due_orders() -> int:
    """Unpaid orders past their time (pending payments, reservations): places back on sale."""

    async def _expire(sessionmaker: SessionMaker) -> int:
        async with unit_of_work(sessionmaker) as session:
            return await lifecycle.expire_due(session)

    return run(_expire)
