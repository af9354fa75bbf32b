"""A real Celery worker process: on Redis when the machine offers one (CI), otherwise on
the SQL broker the demo uses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from databases import create_database, drop_database
from support import JWT_SECRET

from ticketing.core.jobs import celery_config
from ticketing.settings import AuthSettings, CelerySettings, Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_settings(server_url: str, database_url: str) -> Iterator[Settings]:
    redis_url = os.environ.get("TICKETING_TEST_REDIS_URL")
    broker_db = None
    if redis_url:
        celery = CelerySettings(broker_url=redis_url, result_backend=redis_url)
    else:
        broker_db = create_database(server_url, prefix="podium_broker_test")
        from sqlalchemy.engine import make_url

        celery = CelerySettings(broker_database=make_url(broker_db).database or "")
    yield Settings(
        database_url=database_url,
        celery=celery,
        auth=AuthSettings(jwt_secret=JWT_SECRET),  # type: ignore[arg-type]
    )
    if broker_db:
        drop_database(broker_db)


@pytest.mark.slow
def test_worker_process_answers_ping(worker_settings: Settings) -> None:
    env = dict(os.environ)
    env["TICKETING_DATABASE_URL"] = worker_settings.database_url
    env["TICKETING_CELERY__BROKER_URL"] = worker_settings.celery.broker_url
    env["TICKETING_CELERY__RESULT_BACKEND"] = worker_settings.celery.result_backend
    env["TICKETING_CELERY__BROKER_DATABASE"] = worker_settings.celery.broker_database
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        client = Celery("test-client")
        client.conf.update(celery_config(worker_settings))
        started = time.monotonic()
        result = client.send_task("podium.ping").get(timeout=60)
        assert result == {"worker": "ok", "database": "ok"}
        assert time.monotonic() - started < 60
        # The outbox task takes the ids an API process gathered, any number of them
        # (unknown ones are nothing to do). Its result is not kept: the next ping's answer
        # says it ran (one task at a time, in order), the worker's log that it did not fail.
        gathered = [str(uuid.uuid4()), str(uuid.uuid4())]
        client.send_task("podium.outbox.process", args=gathered)
        assert client.send_task("podium.ping").get(timeout=60)["worker"] == "ok"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
    assert "raised unexpected" not in output, output
