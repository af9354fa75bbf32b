"""The Celery app: broker from settings, queues and the beat schedule."""

from __future__ import annotations

from celery import Celery

import ticketing.handlers  # noqa: F401 - every outbox topic and signal subscriber
from ticketing.core.jobs import celery_config
from ticketing.settings import get_settings
from workers import tasks

settings = get_settings()

# Every module of workers/tasks, found on disk: none can be forgotten.
app = Celery("podium", include=list(tasks.MODULES))
app.conf.update(celery_config(settings))
app.conf.beat_schedule = {
    "outbox-sweep": {
        "task": "podium.outbox.sweep",
        "schedule": settings.celery.outbox_sweep_seconds,
    },
    "outbox-coalesced-sweep": {
        "task": "podium.outbox.sweep_coalesced",
        "schedule": settings.celery.coalesced_sweep_seconds,
        # A sweep still queued when the next is sent has nothing left to do.
        "options": {"expires": settings.celery.coalesced_sweep_seconds},
    },
    "release-expired-holds": {
        "task": "podium.inventory.release_expired",
        "schedule": settings.celery.hold_sweep_seconds,
    },
    "stripe-inbox-sweep": {
        "task": "podium.payments.sweep",
        "schedule": settings.celery.outbox_sweep_seconds,
    },
    "expire-unpaid-orders": {
        "task": "podium.orders.expire_due",
        "schedule": settings.celery.hold_sweep_seconds,
    },
}
