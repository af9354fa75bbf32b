"""The principals of recently seen bearer tokens, kept for a few seconds.

Every request checks its token's session, account and roles. In an on-sale rush the same
clerks send hundreds of requests a second, so each process remembers the answer for a
token briefly (`auth.principal_cache_seconds`; 0 switches it off). Changes made through
this process (logout, roles, accounts, API tokens, houses) clear it once they commit; other
API processes see them within those seconds. An entry never outlives its token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ticketing.tenancy.principal import Principal

MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    until: datetime


class PrincipalCache:
    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        # Counts the clears: an answer read from the database before a clear is stale.
        self.generation = 0

    def get(self, token: str, now: datetime) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if entry.until <= now:
            del self._entries[token]
            return None
        return entry.principal

    def put(self, token: str, principal: Principal, until: datetime, *, generation: int) -> None:
        """Remember a principal read from the database when the cache was at
        `generation`; if it was cleared since, the principal may be stale and is dropped."""
        if generation != self.generation:
            return
        if len(self._entries) >= MAX_ENTRIES:
            # Far more tokens than clerks and devices: start over rather than grow.
            self._entries.clear()
        self._entries[token] = _Entry(principal, until)

    def clear(self) -> None:
        self._entries.clear()
        self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)


PRINCIPALS = PrincipalCache()
