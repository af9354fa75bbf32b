"""Advisory locks: serialise short critical sections per row without a lock table."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw

LOCK = "SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))"


async def advisory_xact_lock(session: AsyncSession, namespace: str, key: uuid.UUID) -> None:
    """Hold a transaction-scoped lock on (namespace, key) until commit or rollback."""
    connection = await raw.connection(session)
    await connection.execute(LOCK, namespace, str(key))
