"""The SQL broker's database and tables, made once before any worker or beat starts.

Without a configured broker, the workers use kombu's SQL transport and Celery's database
result backend on a database of the platform's PostgreSQL (see `jobs.broker_url`). Both
create their tables on first use, each process for itself: a worker and a beat starting
together raced there (a unique violation in PostgreSQL's catalogue, and the worker died).
`podium migrate` and the demo launcher call `prepare_sql_broker` first, so the processes
find everything in place; concurrent preparers wait for each other on an advisory lock.
"""

from __future__ import annotations

import psycopg
from celery import Celery

from ticketing.core import jobs
from ticketing.db.urls import sync_url, with_database
from ticketing.settings import Settings

# Any constant of our own: the lock only orders preparers of the broker.
_LOCK = 0x506F6469756D  # "Podium"


def _libpq(url: str, database: str) -> str:
    rendered = sync_url(with_database(url, database)).render_as_string(hide_password=False)
    return rendered.replace("postgresql+psycopg", "postgresql", 1)


def prepare_sql_broker(settings: Settings) -> bool:
    """Create the SQL broker's database, its queue tables and queues, and the result
    backend's tables. Does nothing (False) when a broker such as Redis is configured."""
    if settings.celery.broker_url:
        return False
    name = settings.celery.broker_database
    app = Celery("podium-prepare")
    app.conf.update(jobs.celery_config(settings))
    # The lock is taken in the server's maintenance database (advisory locks belong to a
    # database, and the broker's may not exist yet): preparers go one at a time.
    with psycopg.connect(_libpq(settings.database_url, "postgres"), autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", (_LOCK,))
        try:
            found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if found.fetchone() is None:
                admin.execute(f'CREATE DATABASE "{name}"')
            with app.connection_for_write() as connection:
                channel = connection.default_channel
                # Declaring creates kombu's tables, then each queue's row (unique by name:
                # the beat's first publish and the worker's first consume raced there too).
                for queue in app.amqp.queues.values():
                    queue.bind(channel).declare()
            if app.conf.result_backend:
                app.backend.ResultSession().close()  # type: ignore[attr-defined]
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s)", (_LOCK,))
    return True
