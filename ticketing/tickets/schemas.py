"""Answers of the tickets' routes (the PDFs and QR images are bytes)."""

from __future__ import annotations

from datetime import datetime

from ticketing.core.schemas import Out


class SigningKeyOut(Out):
    key_id: int
    public_key: str  # base64 of the raw Ed25519 key
    created_at: datetime
    retired_at: datetime | None
