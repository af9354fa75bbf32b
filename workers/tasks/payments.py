from __future__ import annotations

import uuid

import ticketing.handlers  # noqa: F401 - registers every outbox topic
from ticketing.db.engine import SessionMaker
from ticketing.payments import stripe_flow
from workers.celery_app import app
from workers.runtime import run


@app.task(name=stripe_flow.PROCESS_TASK)
def process_event(event_id: str) -> bool:
    async def _process(sessionmaker: SessionMaker) -> bool:
        return await stripe_flow.process_event(
            sessionmaker, uuid.UUID(event_id), stripe_flow.worker_gateway
        )

    return run(_process)


@app.task(name="podium.payments.sweep")
def sweep() -> int:
    """Handle inbox events whose task was lost or that failed and may be retried."""

    async def _sweep(sessionmaker: SessionMaker) -> int:
        done = 0
        for event_id in await stripe_flow.unprocessed_events(sessionmaker):
            done += await stripe_flow.process_event(
                sessionmaker, event_id, stripe_flow.worker_gateway
            )
        return done

    return run(_sweep)
