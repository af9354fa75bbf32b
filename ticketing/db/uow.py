"""The unit of work: one session per request or task, committed by its owner only.

Services flush but never commit. The request dependency commits after the handler returns
and before the response is sent, so a failed commit becomes an error answer, never a 201
for a row that was not stored. Work deferred with `after_commit` runs only once the commit
succeeded and is dropped on rollback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.db.engine import SessionMaker

log = logging.getLogger(__name__)

AfterCommit = Callable[[], Awaitable[None] | None]
_KEY = "podium.after_commit"


def after_commit(session: AsyncSession, fn: AfterCommit) -> None:
    """Run fn once the session's transaction has committed; forget it on rollback."""
    session.info.setdefault(_KEY, []).append(fn)


async def _run_after_commit(session: AsyncSession) -> None:
    pending: list[AfterCommit] = session.info.pop(_KEY, [])
    for fn in pending:
        try:
            result = fn()
            if result is not None:
                await result
        except Exception:
            # The transaction is committed; a failed notification is recovered by the
            # outbox sweep, so it must not turn a stored write into an error answer.
            log.exception("after-commit job failed")


@asynccontextmanager
async def unit_of_work(sessionmaker: SessionMaker) -> AsyncIterator[AsyncSession]:
    """Commit on success, roll back on any exception (and re-raise it)."""
    async with sessionmaker() as session:
        try:
            yield session
            await raw.send_deferred(session)
            await session.commit()
        except BaseException:
            session.info.pop(_KEY, None)
            raw.discard_deferred(session)
            await session.rollback()
            raise
    await _run_after_commit(session)
