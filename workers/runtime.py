"""One event loop and one engine per worker process.

Celery tasks are synchronous; they run async service code on a loop that lives as long as
the process. A forked child builds its own (connections must not cross a fork).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from ticketing.core import jobs
from ticketing.core.runtime import Runtime, entered
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.settings import get_settings

T = TypeVar("T")


class _Runtime:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.runner = asyncio.Runner()
        settings = get_settings()
        self.engine: AsyncEngine = create_engine(settings.database_url, pool_size=2)
        self.sessionmaker: SessionMaker = create_sessionmaker(self.engine)
        # The process's configuration (keyring, UiTdatabank, payment gateway): every task
        # runs inside it, as every request of the API runs inside the app's.
        self.config = Runtime(settings)


_runtime: _Runtime | None = None


def runtime() -> _Runtime:
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        _runtime = _Runtime()
    return _runtime


def run(fn: Callable[[SessionMaker], Awaitable[T]]) -> T:
    rt = runtime()
    return rt.runner.run(_call(fn, rt.sessionmaker, rt.config))


async def _call(
    fn: Callable[[SessionMaker], Awaitable[T]], sessionmaker: SessionMaker, config: Runtime
) -> T:
    try:
        with entered(config):
            return await fn(sessionmaker)
    finally:
        # Tasks this one queued are published before it ends (the loop only runs while a
        # task does).
        await jobs.drain()
