"""What the browser tests share besides their fixtures (tests/web/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ticketing.db.engine import SessionMaker


@dataclass
class Platform:
    """The platform the pages run on: its address and database."""

    base: str
    database_url: str
    sessionmaker: SessionMaker
