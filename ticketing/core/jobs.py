"""Sending Celery tasks by name from the API, after commit.

`workers` depends on `ticketing`, never the other way round: the API only knows task
names. The producer is a bare Celery app on the same broker as the workers.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.uow import after_commit
from ticketing.settings import Settings, get_settings

log = logging.getLogger(__name__)


def broker_url(settings: Settings) -> str:
    """The configured broker, or kombu's SQL transport on a separate broker database of
    the platform's own PostgreSQL (so a demo needs no Redis or RabbitMQ)."""
    if settings.celery.broker_url:
        return settings.celery.broker_url
    from ticketing.db.urls import sync_url, with_database

    url = sync_url(with_database(settings.database_url, settings.celery.broker_database))
    return "sqla+" + url.render_as_string(hide_password=False)


def result_backend(settings: Settings) -> str | None:
    if settings.celery.result_backend:
        return settings.celery.result_backend
    if settings.celery.broker_url:
        return None
    from ticketing.db.urls import sync_url, with_database

    url = sync_url(with_database(settings.database_url, settings.celery.broker_database))
    return "db+" + url.render_as_string(hide_password=False)


def celery_config(settings: Settings) -> dict[str, Any]:
    return {
        "broker_url": broker_url(settings),
        "result_backend": result_backend(settings),
        "broker_connection_retry_on_startup": True,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_always_eager": settings.celery.always_eager,
        "timezone": "UTC",
        "enable_utc": True,
    }


@lru_cache
def producer() -> Celery:
    app = Celery("podium-producer")
    app.conf.update(celery_config(get_settings()))
    return app


Outgoing = list[tuple[str, list[Any]]]


class _Sender:
    """The tasks an event loop has queued, and the one task of that loop publishing them."""

    def __init__(self) -> None:
        self.queue: Outgoing = []
        self.task: asyncio.Task[None] | None = None


_senders: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sender] = (
    weakref.WeakKeyDictionary()
)


async def send_task(name: str, *args: Any) -> None:
    """Queue a task for this process's sender and return at once: a request never waits
    for the broker. The sender publishes what is queued together, off the event loop. A
    task lost on the way (broker down, process killed) is sent again by the outbox sweep,
    as is every outbox message whose task never ran."""
    loop = asyncio.get_running_loop()
    sender = _senders.get(loop)
    if sender is None:
        sender = _senders[loop] = _Sender()
    sender.queue.append((name, list(args)))
    if sender.task is None or sender.task.done():
        sender.task = loop.create_task(_send_queued(sender))


async def _send_queued(sender: _Sender) -> None:
    while sender.queue:
        batch = sender.queue[:]
        del sender.queue[:]
        # Publishing is a blocking network call; keep it off the event loop.
        await asyncio.to_thread(_publish, batch)


def _publish(batch: Outgoing) -> None:
    app = producer()
    with app.producer_or_acquire() as publisher:
        for name, args in batch:
            try:
                app.send_task(name, args=args, producer=publisher)
            except Exception:
                log.exception("could not publish %s %s; the outbox sweep sends it", name, args)


async def drain() -> None:
    """Wait until every task this event loop queued is published (a worker does before
    its task ends, the API before it stops)."""
    sender = _senders.get(asyncio.get_running_loop())
    if sender is not None and sender.task is not None and not sender.task.done():
        await sender.task


def enqueue_after_commit(session: AsyncSession, name: str, *args: Any) -> None:
    """Send the task once the session commits; nothing is sent on rollback."""

    async def _send() -> None:
        await send_task(name, *args)

    after_commit(session, _send)
