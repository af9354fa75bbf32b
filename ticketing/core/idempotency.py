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

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock
from ticketing.core.errors import InvalidInput
from ticketing.db import raw
from ticketing.db.locks import advisory_xact_lock_text

HEADER = "Idempotency-Key"
FIND = (
    "SELECT request_hash, status_code, body FROM idempotency_record WHERE scope = $1 AND key = $2"
)
STORE = """
    INSERT INTO idempotency_record (scope, key, request_hash, status_code, body, created_at)
    VALUES ($1, $2, $3, $4, $5, $6)
"""


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
    # The lock first, then the read: a record committed while we waited is seen.
    await advisory_xact_lock_text(session, "idempotency", f"{scope}\n{key}")
    connection = await raw.connection(session)
    request_hash = _hash(body)
    record = await connection.fetchrow(FIND, scope, key)
    if record is not None:
        if record[0] != request_hash:
            raise InvalidInput.field(
                HEADER, "This Idempotency-Key was used for a different request; use a new key."
            )
        return record[1], record[2]
    status, answer = await run()
    connection = await raw.connection(session)
    await connection.execute(
        STORE, scope, key, request_hash, status, raw.dumps(answer), clock.now()
    )
    return status, answer
