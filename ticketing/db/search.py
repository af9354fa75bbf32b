"""Searching text typed by people: what they type is matched as text, never as a LIKE
pattern (a "%" or "_" in a name or an order code means itself)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """column contains text, in any capitals."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found: ColumnElement[bool] = column.ilike(f"%{escaped}%", escape="\\")
    return found
