"""Fixtures: a migrated PostgreSQL database for the run, an app per test whose writes are
rolled back at the end of the test, and an HTTP client for it.

With TICKETING_TEST_DATABASE_URL set (CI: the machine's PostgreSQL) a fresh database is
created on that server; otherwise a private server is started with pgserver.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures.databases import create_database, drop_database
from fixtures.support import JWT_SECRET, TICKETS_SECRET, Tenant, app_runtime, make_tenant
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.app import create_app
from ticketing.core import runtime
from ticketing.core.runtime import Runtime
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.db.migrate import upgrade
from ticketing.db.private import start_private_postgres
from ticketing.payments.localstripe import start_localstripe
from ticketing.settings import AuthSettings, Settings, StripeSettings, TicketSettings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    configured = os.environ.get("TICKETING_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    server, url = start_private_postgres(ROOT / ".data" / "test")
    yield url
    del server


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """localstripe, the Stripe test server, on loopback for the whole run."""
    server, url = start_localstripe()
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    url = create_database(server_url)
    upgrade(url)
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        auth=AuthSettings(jwt_secret=JWT_SECRET),  # type: ignore[arg-type]
        tickets=TicketSettings(secret_key=TICKETS_SECRET),  # type: ignore[arg-type]
        environment="test",
        # Configured but unreachable: the tests that pay start localstripe and use its address.
        stripe=StripeSettings(
            secret_key="sk_test_unreachable",  # type: ignore[arg-type]
            webhook_secret="whsec_unused",  # type: ignore[arg-type]
            api_base="http://127.0.0.1:9",
        ),
    )


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """One connection in a transaction that is rolled back after the test: the app's own
    commits become savepoints inside it."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> SessionMaker:
    return async_sessionmaker(
        bind=connection,
        class_=AsyncSession,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def db(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture(scope="session", autouse=True)
def process_runtime(settings: Settings) -> Iterator[Runtime]:
    """The test process's configuration outside an app: the test settings."""
    previous = runtime.set_default(Runtime(settings))
    yield runtime.current()
    runtime.set_default(previous)


@pytest.fixture
def app(settings: Settings, sessionmaker: SessionMaker) -> Iterator[Litestar]:
    with app_runtime(create_app(settings, sessionmaker=sessionmaker)) as app:
        yield app


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
        yield client


@pytest.fixture
async def tenant(db: AsyncSession) -> Tenant:
    return await make_tenant(db)


@pytest.fixture
async def other_tenant(db: AsyncSession) -> Tenant:
    """A house in another cluster: nothing of `tenant` may be visible to it."""
    return await make_tenant(db)


@pytest.fixture
async def committing(
    server_url: str, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, Tenant, str]]:
    """An app on a database of its own whose writes really commit, with a connection pool:
    for tests of requests at the same moment and of statements outside a transaction.
    Yields its client, a tenant and the database's URL."""
    database = create_database(server_url, prefix="podium_alone")
    upgrade(database)
    engine = create_engine(database, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    app = create_app(settings.model_copy(update={"database_url": database}), sessionmaker)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
            async with sessionmaker() as session:
                tenant = await make_tenant(session)
            with app_runtime(app):
                yield client, tenant, database
    finally:
        await engine.dispose()
        drop_database(database)


def pytest_configure(config: Any) -> None:
    os.environ.setdefault("XDG_RUNTIME_DIR", str(ROOT / ".data" / "run"))
    # Tasks the API sends after commit go to an in-memory broker; tests run the outbox
    # themselves, and the tests that start real workers give them a real broker.
    os.environ.setdefault("TICKETING_CELERY__BROKER_URL", "memory://")
