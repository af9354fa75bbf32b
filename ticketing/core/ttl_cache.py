"""A small per-process cache whose entries live until a given moment, cleared as a whole
when something it holds may have changed.

Answers read from the database while a clear happens may be stale already: callers note
the cache's `generation` before they read and hand it to `put`, which drops the answer if
the cache was cleared in between.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
# Seconds since some fixed point (a monotonic clock) or datetimes: whatever the caller's
# `now` and `until` are, as long as one cache uses one kind.
Moment = TypeVar("Moment")


class TtlCache(Generic[K, V, Moment]):
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: dict[K, tuple[V, Moment]] = {}
        # Counts the clears: an answer read from the database before a clear is stale.
        self.generation = 0

    def get(self, key: K, now: Moment) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] <= now:  # type: ignore[operator]
            del self._entries[key]
            return None
        return entry[0]

    def peek(self, key: K) -> tuple[V, Moment] | None:
        """The value and the moment it expires (or expired), without dropping it: for a
        caller that serves a stale value while it reads a fresh one."""
        return self._entries.get(key)

    def put(self, key: K, value: V, until: Moment, *, generation: int) -> None:
        """Remember a value read from the database when the cache was at `generation`; if
        it was cleared since, the value may be stale and is dropped."""
        if generation != self.generation:
            return
        if key not in self._entries and len(self._entries) >= self.max_entries:
            # Full: the oldest entry makes room (a flood of new keys cannot empty it all).
            del self._entries[next(iter(self._entries))]
        self._entries[key] = (value, until)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)
