"""`podium serve`: one listening socket in the parent, connections handed to the API
process with the fewest open ones, and the processes stopping together."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixtures.support import JWT_SECRET, TICKETS_SECRET

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
    """Processes with a listening socket on the port."""
    found = subprocess.run(
        ["ss", "-Hltnp", f"sport = :{port}"], capture_output=True, text=True, check=True
    )
    return {int(part.split("pid=")[1].split(",")[0]) for part in found.stdout.split("users:")[1:]}


def _served_by(port: int) -> dict[int, int]:
    """The process serving each open connection to the port, by the client's port."""
    found = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"sport = :{port}"],
        capture_output=True,
        text=True,
        check=True,
    )
    owners = {}
    for line in found.stdout.splitlines():
        fields = line.split()
        if "pid=" not in line:
            continue
        client_port = int(fields[3].rsplit(":", 1)[1])
        owners[client_port] = int(line.split("pid=")[1].split(",")[0])
    return owners


def _connect(port: int) -> http.client.HTTPConnection:
    """A keep-alive connection that has been served once (so a process holds it)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/health")
    response = connection.getresponse()
    response.read()
    assert response.status == 200
    return connection


def _client_port(connection: http.client.HTTPConnection) -> int:
    assert connection.sock is not None
    return int(connection.sock.getsockname()[1])


def _wait(condition: object, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.fixture
def served(database_url: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATABASE_URL=database_url,
        TICKETING_AUTH__JWT_SECRET=JWT_SECRET,
        TICKETING_TICKETS__SECRET_KEY=TICKETS_SECRET,
    )
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "ticketing.cli", "serve"),
            *("--port", str(port), "--workers", "2", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _connect(port).close()
                break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the API did not answer"
            assert server.poll() is None, "podium serve stopped"
            time.sleep(0.2)
        _wait(lambda: len(_children(server.pid)) >= 2, "the API processes did not start")
        yield server, port
    finally:
        # Stopped as a service manager would, so its API processes stop with it (a SIGKILL
        # of the parent would leave them running).
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_connections_go_to_the_process_with_the_fewest(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    server, port = served
    workers = _children(server.pid)
    # Only the parent listens; the processes serve what it hands them.
    assert _listeners(port) == {server.pid}

    connections = [_connect(port) for _ in range(6)]
    owners = _served_by(port)
    first = Counter(owners[_client_port(c)] for c in connections)
    assert set(first) <= workers
    assert sorted(first.values()) == [3, 3]

    # One process's connections close: the next ones all go to it.
    emptied = next(iter(first))
    for connection in [c for c in connections if owners[_client_port(c)] == emptied]:
        connection.close()
        connections.remove(connection)
    _wait(
        lambda: Counter(_served_by(port).values()).get(emptied, 0) == 0,
        "the closed connections stayed open",
    )
    time.sleep(0.3)  # the process tells the parent as each one closes
    newer = [_connect(port) for _ in range(2)]
    owners = _served_by(port)
    assert [owners[_client_port(c)] for c in newer] == [emptied, emptied]
    # And every connection is still served (keep-alive across the hand-over).
    for connection in connections + newer:
        connection.request("GET", "/health")
        response = connection.getresponse()
        assert response.status == 200
        response.read()
        connection.close()


def test_processes_stop_together(served: tuple[subprocess.Popen[bytes], int]) -> None:
    server, _ = served
    children = _children(server.pid)
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=30) == 0
    # The API processes (and multiprocessing's helper) stop with it.
    _wait(
        lambda: not [pid for pid in children if Path(f"/proc/{pid}").exists()],
        "an API process outlived podium serve",
    )


def test_a_process_that_dies_stops_the_api(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    """The service manager restarts the whole API rather than run it half."""
    server, port = served
    children = _children(server.pid)
    connection = _connect(port)
    os.kill(_served_by(port)[_client_port(connection)], signal.SIGKILL)
    assert server.wait(timeout=30) == 1
    _wait(
        lambda: not [pid for pid in children if Path(f"/proc/{pid}").exists()],
        "an API process outlived podium serve",
    )


def test_a_taken_port_is_reported_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            listening_socket("127.0.0.1", port)
