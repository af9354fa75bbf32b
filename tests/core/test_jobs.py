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


async def test_merged_tasks_go_out_as_one_message_each_where_it_first_came(
    celery: FakeCelery, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "MERGED", {"podium.many"})
    monkeypatch.setattr(jobs, "MERGE_LIMIT", 3)
    await jobs.send_task("podium.one", "a")
    for n in range(5):
        await jobs.send_task("podium.many", f"id{n}")
        if n == 1:
            await jobs.send_task("podium.two", "b")
    await jobs.drain()
    assert celery.published == [
        ("podium.one", ["a"]),
        ("podium.many", ["id0", "id1", "id2"]),
        ("podium.two", ["b"]),
        ("podium.many", ["id3", "id4"]),
    ]
    # A task not named in MERGED stays one message per call.
    assert jobs.merge([("podium.one", ["a"]), ("podium.one", ["b"])]) == [
        ("podium.one", ["a"]),
        ("podium.one", ["b"]),
    ]
