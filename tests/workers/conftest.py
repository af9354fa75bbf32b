"""Fixtures: the real worker with its beat for the session, and an API on its database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from celery import Celery
from fixtures.databases import create_database, drop_database
from fixtures.support import JWT_SECRET, TICKETS_SECRET, Tenant, make_tenant
from running import ROOT, RunningWorker, worker_env
from sqlalchemy.engine import make_url

from ticketing.app import create_app
from ticketing.core.jobs import celery_config
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.db.migrate import upgrade
from ticketing.settings import AuthSettings, CelerySettings, Settings, TicketSettings


# Stopped when the module is done: the rest of the run need not share the machine with a
# beat that sweeps every second.
@pytest.fixture(scope="module")
def running_worker(
    server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningWorker]:
    database = create_database(server_url, prefix="podium_worker")
    upgrade(database)
    redis_url = os.environ.get("TICKETING_TEST_REDIS_URL")
    broker_db = None
    if redis_url:
        celery = CelerySettings(broker_url=redis_url, result_backend=redis_url)
    else:
        broker_db = create_database(server_url, prefix="podium_broker_test")
        celery = CelerySettings(broker_database=make_url(broker_db).database or "")
    settings = Settings(
        database_url=database,
        celery=celery,
        auth=AuthSettings(jwt_secret=JWT_SECRET),  # type: ignore[arg-type]
        tickets=TicketSettings(secret_key=TICKETS_SECRET),  # type: ignore[arg-type]
    )
    client = Celery("test-client")
    client.conf.update(celery_config(settings))
    if redis_url:
        client.control.purge()  # tasks an earlier run left for a database that is gone
    folder = tmp_path_factory.mktemp("worker")
    log = folder / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "ticketing.cli", "worker", "--beat"),
                *("--concurrency", "2", "--loglevel", "info"),
                *("--schedule", str(folder / "celerybeat-schedule")),
            ],
            cwd=ROOT,
            env=worker_env(settings),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield RunningWorker(settings=settings, client=client, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        client.close()
        drop_database(database)
        if broker_db:
            drop_database(broker_db)


@pytest.fixture
async def platform(
    running_worker: RunningWorker, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, Tenant, SessionMaker]]:
    """The API on the worker's database, its writes committed: what the API does, the
    worker and its beat see."""
    engine = create_engine(running_worker.settings.database_url, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    app = create_app(
        settings.model_copy(update={"database_url": running_worker.settings.database_url}),
        sessionmaker,
    )
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
            async with sessionmaker() as session:
                tenant = await make_tenant(session)
            yield client, tenant, sessionmaker
    finally:
        await engine.dispose()
