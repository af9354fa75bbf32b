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

# A task named here takes any number of arguments, each a piece of work of its own (an
# outbox message id): what is queued for it within one send is published as one message.
MERGED: set[str] = set()
# Arguments per merged message, at most.
MERGE_LIMIT = 100
# How long the sender waits for more tasks before it publishes. During an on-sale a
# process sells a ticket every few milliseconds: a few hundredths of a second turn
# many publishes into one and delay a ticket's issuing by no more than that.
LINGER_SECONDS = 0.05


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


def merge(batch: Outgoing) -> Outgoing:
    """The batch with the arguments of each MERGED task gathered into as few messages as
    MERGE_LIMIT allows, each where its task first came; other tasks stay as they are."""
    merged: Outgoing = []
    open_: dict[str, list[Any]] = {}
    for name, args in batch:
        if name not in MERGED:
            merged.append((name, args))
            continue
        gathered = open_.get(name)
        if gathered is None or len(gathered) + len(args) > MERGE_LIMIT:
            gathered = open_[name] = []
            merged.append((name, gathered))
        gathered.extend(args)
    return merged


async def _send_queued(sender: _Sender) -> None:
    while sender.queue:
        await asyncio.sleep(LINGER_SECONDS)
        batch = merge(sender.queue[:])
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
