"""Idempotency-Key: the same key (per caller and endpoint) replays the first answer.

The first request with a key claims it by writing its record at once (the answer is
filled in before the commit). A second request with that key at the same moment waits on
the record's unique index until the first one ends: then it replays the first answer, or,
if the first one failed and left nothing, runs itself. Only successful answers are
stored: after an error the client may simply try again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock
from ticketing.core.errors import InvalidInput
from ticketing.db import raw

HEADER = "Idempotency-Key"
CLAIM = """
    INSERT INTO idempotency_record (scope, key, request_hash, status_code, body, created_at)
    VALUES ($1, $2, $3, 0, '{}', $4)
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING true
"""
FIND = (
    "SELECT request_hash, status_code, body FROM idempotency_record WHERE scope = $1 AND key = $2"
)
STORE = "UPDATE idempotency_record SET status_code = $3, body = $4 WHERE scope = $1 AND key = $2"


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
    connection = await raw.connection(session)
    request_hash = _hash(body)
    if not await connection.fetchval(CLAIM, scope, key, request_hash, clock.now()):
        # Answered before (or just now, by the request we waited for).
        record = await connection.fetchrow(FIND, scope, key)
        if record[0] != request_hash:
            raise InvalidInput.field(
                HEADER, "This Idempotency-Key was used for a different request; use a new key."
            )
        return record[1], record[2]
    status, answer = await run()
    raw.defer(session, STORE, scope, key, status, raw.dumps(answer))
    return status, answer
