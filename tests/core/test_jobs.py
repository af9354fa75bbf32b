"""Tasks sent after a commit: queued at once, published together off the event loop by
one sender per loop, each task on its own (one that fails does not take the others)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from ticketing.core import jobs


class FakeCelery:
    def __init__(self) -> None:
        self.published: list[tuple[str, list[Any]]] = []
        self.connections = 0

    @contextmanager
    def producer_or_acquire(self) -> Iterator[object]:
        self.connections += 1
        yield object()

    def send_task(self, name: str, args: list[Any], producer: object) -> None:
        if name == "broken":
            raise ConnectionError("the broker hung up")
        self.published.append((name, args))


@pytest.fixture
def celery(monkeypatch: pytest.MonkeyPatch) -> FakeCelery:
    fake = FakeCelery()
    monkeypatch.setattr(jobs, "producer", lambda: fake)
    return fake


async def test_sending_returns_at_once_and_publishes_in_order(celery: FakeCelery) -> None:
    await jobs.send_task("podium.one", "a")
    await jobs.send_task("broken", "b")
    await jobs.send_task("podium.two", "c")
    assert celery.published == []  # the request did not wait for the broker
    await jobs.drain()
    # One connection for the lot; the broken one is logged and the others still go out.
    assert celery.published == [("podium.one", ["a"]), ("podium.two", ["c"])]
    assert celery.connections == 1
    await jobs.send_task("podium.three")
    await jobs.drain()
    assert celery.published[-1] == ("podium.three", [])
