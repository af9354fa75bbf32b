"""Engine and session factory. One engine per process; sessions are short."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.urls import async_url

SessionMaker = async_sessionmaker[AsyncSession]


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    return create_async_engine(
        async_url(database_url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        # Every connection talks UTC; screens convert to Europe/Brussels.
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "podium"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


async def ping(sessionmaker: SessionMaker) -> None:
    """Ask the database for an answer (the API's /health): raises when it gives none."""
    async with sessionmaker() as session:
        await (await session.connection()).execute(text("SELECT 1"))
