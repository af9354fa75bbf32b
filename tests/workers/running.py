"""The real worker with its beat, started as the demo starts it (`podium worker --beat`,
task processes forked from it), on a database of its own: on Redis when the machine offers
one (CI), otherwise on the SQL broker the demo uses. The beat's sweeps run every second."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery
from fixtures.support import JWT_SECRET, TICKETS_SECRET

from ticketing.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SWEEP_SECONDS = 1.0
# What a worker must never write: a task that failed, or one it did not know.
PROBLEMS = ("Traceback", "raised unexpected", "unregistered task", "Received unregistered")


@dataclass
class RunningWorker:
    settings: Settings  # the worker's: its database and broker
    client: Celery  # a producer on the worker's broker
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def problems(self) -> list[str]:
        return [line for line in self.output().splitlines() if any(p in line for p in PROBLEMS)]

    def succeeded(self, task: str) -> int:
        """How many runs of the task the worker reported as succeeded."""
        return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", self.output()))

    def ask(self, task: str, timeout: float = 60) -> Any:
        return self.client.send_task(task).get(timeout=timeout)


def worker_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        TICKETING_DATABASE_URL=settings.database_url,
        TICKETING_CELERY__BROKER_URL=settings.celery.broker_url,
        TICKETING_CELERY__RESULT_BACKEND=settings.celery.result_backend,
        TICKETING_CELERY__BROKER_DATABASE=settings.celery.broker_database,
        TICKETING_CELERY__OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS),
        TICKETING_CELERY__COALESCED_SWEEP_SECONDS=str(SWEEP_SECONDS),
        TICKETING_CELERY__HOLD_SWEEP_SECONDS=str(SWEEP_SECONDS),
        TICKETING_AUTH__JWT_SECRET=JWT_SECRET,
        TICKETING_TICKETS__SECRET_KEY=TICKETS_SECRET,
    )
    return env


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll until the condition holds; the timeout only bounds a broken run."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what}")
        time.sleep(0.2)


async def eventually(read: Callable[[], Awaitable[Any]], expected: Any) -> None:
    """Read until the answer is the expected one (or, for a set, includes it); the minute
    only bounds a broken run."""
    got: Any = None
    try:
        async with asyncio.timeout(60):
            while True:
                got = await read()
                if got == expected or (isinstance(expected, set) and expected <= got):
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"still {got!r}, waiting for {expected!r}") from None
