"""The API as in production (`podium serve`, real processes) on a database of its own,
for tests that need real sockets: requests at the same moment, a browser."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO

import httpx
from databases import create_database, drop_database
from support import JWT_SECRET, TICKETS_SECRET

from ticketing.db.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spawn(port: int, workers: int, env: dict[str, str], log: IO[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ticketing.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


class LiveServer:
    def __init__(self, base: str, database_url: str) -> None:
        self.base = base
        self.database_url = database_url


@asynccontextmanager
async def live_server(
    server_url: str,
    log_dir: Path,
    *,
    prefix: str = "podium_live",
    workers: int = 2,
    env: dict[str, str] | None = None,
    prepare: Callable[[str], None] | None = None,
) -> AsyncIterator[LiveServer]:
    """A fresh migrated database (`prepare` may change it first) and the API serving it."""
    database = create_database(server_url, prefix=prefix)
    upgrade(database)
    if prepare is not None:
        prepare(database)
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    environment.update(
        TICKETING_DATABASE_URL=database,
        TICKETING_AUTH__JWT_SECRET=JWT_SECRET,
        TICKETING_TICKETS__SECRET_KEY=TICKETS_SECRET,
        TICKETING_ENVIRONMENT="test",
        **(env or {}),
    )
    log_path = log_dir / f"server-{port}.log"
    log = log_path.open("w")
    server = _spawn(port, workers, environment, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(base + "/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline
                await asyncio.sleep(0.2)
        yield LiveServer(base, database)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        drop_database(database)
