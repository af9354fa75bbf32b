"""Idempotency-Key: the same key (per caller and endpoint) replays the first answer.

The key is locked for the length of the transaction, so two requests with one key at the
same moment run one after the other and the second gets the first one's answer. Only
successful answers are stored: after an error the client may simply try again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import InvalidInput
from ticketing.db.locks import advisory_xact_lock_text
from ticketing.orders.models import IdempotencyRecord

HEADER = "Idempotency-Key"


def _hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def replay_or_run(
    session: AsyncSession,
    *,
    scope: str,
    key: str | None,
    body: Any,
    run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> tuple[int, dict[str, Any]]:
    if key is None:
        return await run()
    if not 1 <= len(key) <= 200:
        raise InvalidInput.field(HEADER, "The Idempotency-Key must be 1 to 200 characters.")
    await advisory_xact_lock_text(session, "idempotency", f"{scope}\n{key}")
    request_hash = _hash(body)
    stmt = select(IdempotencyRecord).where(
        IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
    )
    record = (await session.exec(stmt)).first()
    if record is not None:
        if record.request_hash != request_hash:
            raise InvalidInput.field(
                HEADER, "This Idempotency-Key was used for a different request; use a new key."
            )
        return record.status_code, record.body
    status, answer = await run()
    session.add(
        IdempotencyRecord(
            scope=scope, key=key, request_hash=request_hash, status_code=status, body=answer
        )
    )
    await session.flush()
    return status, answer
