"""The SQL broker (no broker configured: kombu's SQL transport, Celery's database result
backend) on a first start: a worker, its beat and the API processes all begin at once on
a broker database that has no tables yet. Each made them on first use and racing there
killed the demo's worker (a unique violation in PostgreSQL's catalogue). Every process
prepares the broker first, one at a time; after that first use finds everything made."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from fixtures.databases import drop_database
from running import ROOT

from ticketing.db.urls import with_database

# One process of a first start: it waits for the agreed moment, prepares the broker as
# `podium worker` and `podium beat` do, then uses it (publish, consume, store a result).
FIRST_START = """
import sys, time
from celery import Celery
from ticketing.core.broker import prepare_sql_broker
from ticketing.core.jobs import celery_config
from ticketing.settings import Settings

settings = Settings()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
prepare_sql_broker(settings)
app = Celery("first-start")
app.conf.update(celery_config(settings))
with app.connection_for_write() as connection:
    connection.default_channel.queue_declare(queue="celery")
app.backend.ResultSession().close()
"""


def test_processes_starting_together_on_an_empty_sql_broker(server_url: str) -> None:
    broker = f"podium_broker_first_{os.getpid()}_{time.monotonic_ns() % 10**6}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        TICKETING_DATABASE_URL=server_url,
        TICKETING_CELERY__BROKER_DATABASE=broker,
    )
    moment = str(time.time() + 4)  # after every interpreter has started
    try:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", FIRST_START, moment],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(4)
        ]
        outputs = [p.communicate(timeout=120)[0].decode(errors="replace") for p in processes]
        assert [p.returncode for p in processes] == [0] * 4, "\n".join(outputs)
    finally:
        drop_database(with_database(server_url, broker))
