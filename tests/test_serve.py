"""`podium serve`: several API processes, each with its own socket on one port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support import JWT_SECRET

from ticketing.serve import listening_socket

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return {int(p) for p in found.stdout.split()}


def _listeners(port: int) -> set[int]:
    """Processes with a listening socket of their own on the port."""
    found = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    )
    return {int(part.split("pid=")[1].split(",")[0]) for part in found.stdout.split("users:")[1:]}


def test_processes_each_listen_and_stop_together(database_url: str) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(TICKETING_DATABASE_URL=database_url, TICKETING_AUTH__JWT_SECRET=JWT_SECRET)
    server = subprocess.Popen(
        [sys.executable, "-m", "ticketing.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API did not answer"
            assert server.poll() is None, "podium serve stopped"
            time.sleep(0.2)
        children = _children(server.pid)
        assert len(children) >= 2
        # Both processes listen on the port themselves (not one socket shared by both).
        deadline = time.monotonic() + 30
        while len(_listeners(port) & children) < 2:
            assert time.monotonic() < deadline, "not every process listens"
            time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        # The API processes (and multiprocessing's helper) stop with it.
        deadline = time.monotonic() + 15
        while [pid for pid in children if Path(f"/proc/{pid}").exists()]:
            assert time.monotonic() < deadline, "an API process outlived podium serve"
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.kill()


def test_a_taken_port_is_reported_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            listening_socket("127.0.0.1", port)
