"""Requests and answers of the UiTdatabank routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ticketing.core.schemas import In, Out


class LocationSync(Out):
    venue_id: uuid.UUID
    uitdatabank_id: str | None
    url: str | None
    status: str
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    schema_errors: list[dict[str, Any]]


class LocationLink(In):
    """Which UiTdatabank event is this event's at the venue; null: UiTdatabank holds none,
    create it (after a creation whose answer was lost, once staff have checked)."""

    uitdatabank_id: uuid.UUID | None


class SyncState(Out):
    event_id: uuid.UUID
    environment: str
    pending_changes: int
    locations: list[LocationSync]
