from __future__ import annotations

import uuid
from datetime import datetime

from ticketing.core.schemas import Out
from ticketing.seatmaps.layout import LayoutDocument


class LayoutSummary(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    hall_id: uuid.UUID
    version: int
    name: str
    seat_count: int
    standing_capacity: int
    created_at: datetime


class LayoutOut(LayoutSummary):
    document: LayoutDocument


class LayoutProblemOut(Out):
    field: str
    message: str
    seat: str | None = None


class ValidationReport(Out):
    valid: bool
    seat_count: int
    standing_capacity: int
    problems: list[LayoutProblemOut]
