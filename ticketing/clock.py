"""The one source of "now" (UTC, timezone-aware). Tests replace it to control time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

BRUSSELS = ZoneInfo("Europe/Brussels")


def _system_now() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


def now() -> datetime:
    return _now()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); None restores the system clock."""
    global _now
    _now = fn or _system_now


def local(dt: datetime) -> datetime:
    """A stored UTC time as shown on screens, tickets and mails."""
    return dt.astimezone(BRUSSELS)
