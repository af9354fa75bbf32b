"""Advisory locks: serialise short critical sections per row without a lock table."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession


async def advisory_xact_lock(session: AsyncSession, namespace: str, key: uuid.UUID) -> None:
    """Hold a transaction-scoped lock on (namespace, key) until commit or rollback."""
    await advisory_xact_lock_text(session, namespace, str(key))


async def advisory_xact_lock_text(session: AsyncSession, namespace: str, key: str) -> None:
    """The same lock, keyed by any text (for example an idempotency key)."""
    connection = await session.connection()
    await connection.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:ns), hashtext(:key))"),
        {"ns": namespace, "key": key},
    )
