"""A private PostgreSQL from the pgserver wheel, for the demo and the tests.

Used only when no database URL is configured, so a fresh machine needs nothing installed.
The server keeps running while the process that started it lives (cleanup_mode "stop").
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pgserver.postgres_server import PostgresServer


def start_private_postgres(data_dir: Path) -> tuple[PostgresServer, str]:
    """Start (or join) the server in data_dir/pg; returns the handle and a postgresql:// URL."""
    # platformdirs (inside pgserver) wants a runtime dir; containers often have none.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir / "run"))
    (data_dir / "run").mkdir(parents=True, exist_ok=True)
    # The package re-exports get_server without marking it public; import it from its module.
    from pgserver.postgres_server import get_server

    server = get_server(data_dir / "pg", cleanup_mode="stop")
    uri: str = server.get_uri()
    # pgserver answers postgresql://postgres:@/postgres?host=<socket dir>
    return server, uri.replace("postgres:@", "postgres@", 1)
