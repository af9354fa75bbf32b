"""A unique violation as the clerk's answer: 409 naming the field."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import Conflict, FieldError
from ticketing.db import raw


async def flush_or_conflict(session: AsyncSession, field: str, message: str) -> None:
    """Flush inside a savepoint; a unique violation becomes a 409 naming the field and
    leaves the rest of the transaction usable."""
    try:
        async with raw.savepoint(session):
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(message, errors=[FieldError(field, message)]) from exc
