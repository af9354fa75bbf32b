"""Requests and answers of door scanning."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from ticketing.core.schemas import In, Out
from ticketing.core.times import Moment

Gate = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]


class DeviceIn(In):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    performance_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    gates: list[Gate] = Field(default_factory=lambda: ["main"], min_length=1, max_length=20)


class DeviceOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    name: str
    performance_ids: list[uuid.UUID]
    gates: list[str]
    created_at: datetime
    revoked_at: datetime | None


class DeviceCreated(DeviceOut):
    token: str = Field(description="Shown once: the device signs in with it (Bearer dev_...).")


class ScanIn(In):
    qr: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    gate: Gate | None = None
    direction: Literal["in", "out"] = "in"
    performance_id: uuid.UUID | None = Field(
        default=None, description="The performance at this door; default: any of the device's."
    )


class OfflineScanIn(ScanIn):
    nonce: Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[\w-]+$")]
    scanned_at: Moment


class OfflineUploadIn(In):
    scans: list[OfflineScanIn] = Field(min_length=1, max_length=500)
