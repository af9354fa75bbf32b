"""Idempotency-Key: the same key (per caller and endpoint) replays the first answer.

By default the first request with a key claims it by writing its record at once (the
answer is filled in before the commit). A second request with that key at the same moment
waits on the record's unique index until the first one ends: then it replays the first
answer, or, if the first one failed and left nothing, runs itself.

An endpoint whose work cannot succeed twice (creating an order from a basket: the first
one locks the basket and empties it) and has no effect outside the database before its
commit can skip the claim, one round trip less when it matters most: it runs at once and
stores its answer with its commit. When it fails, the key is looked up: an answer stored
by an earlier request (or the one we waited for at the basket's lock) is replayed. Should
the same key come with another basket, that sale succeeds but its record collides with
the first one's at commit: it is rolled back whole and answered, as for any request that
reuses a key, with a 422 naming the Idempotency-Key.

Only successful answers are stored: after an error the client may simply try again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import KEY_REUSED, DomainError, InvalidInput
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
INSERT = """
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
    claim_first: bool = True,
) -> tuple[int, dict[str, Any]]:
    """The first answer for this key, or run() and store its answer; claim_first=False for
    work that cannot succeed twice (see the module's notes)."""
    if key is None:
        return await run()
    if not 1 <= len(key) <= 200:
        raise InvalidInput.field(HEADER, "The Idempotency-Key must be 1 to 200 characters.")
    request_hash = _hash(body)
    if not claim_first:
        return await _run_then_store(session, scope, key, request_hash, run)
    connection = await raw.connection(session)
    if not await connection.fetchval(CLAIM, scope, key, request_hash, clock.now()):
        # Answered before (or just now, by the request we waited for).
        record = await connection.fetchrow(FIND, scope, key)
        return _replayed(record, request_hash)
    status, answer = await run()
    raw.defer(session, STORE, scope, key, status, raw.dumps(answer))
    return status, answer


def _replayed(record: raw.Row | None, request_hash: str) -> tuple[int, dict[str, Any]]:
    if record is None or record["request_hash"] != request_hash:
        raise InvalidInput.field(HEADER, KEY_REUSED)
    return record["status_code"], record["body"]


async def _run_then_store(
    session: AsyncSession,
    scope: str,
    key: str,
    request_hash: str,
    run: Callable[[], Awaitable[tuple[int, dict[str, Any]]]],
) -> tuple[int, dict[str, Any]]:
    try:
        status, answer = await run()
    except DomainError:
        # Refused: because an earlier request with this key did the work? Nothing of this
        # one is kept either way, so look outside its transaction.
        raw.discard_deferred(session)
        await session.rollback()
        connection = await raw.single(session)
        record = await connection.fetchrow(FIND, scope, key)
        if record is None or record["status_code"] == 0:
            raise
        return _replayed(record, request_hash)
    raw.defer(session, INSERT, scope, key, request_hash, status, raw.dumps(answer), clock.now())
    return status, answer
