"""`podium serve`: the API in several processes, each with its own listening socket on
the same port (SO_REUSEPORT), as production and the benchmark run it.

With one shared socket (`uvicorn --workers`), whichever process wakes first accepts the
next connection, so a process that happens to be idle more often collects more of them.
With a socket per process the kernel spreads new connections over the processes by a
hash of each connection, whatever the processes are doing.

The parent only supervises: when a process stops unexpectedly it stops the others and
exits with an error, so the service manager restarts the whole API.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait
from types import FrameType

import uvicorn

APP = "ticketing.app:create_app"
BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other processes may bind to the same address as well."""
    if not hasattr(socket, "SO_REUSEPORT"):
        raise RuntimeError("podium serve needs SO_REUSEPORT (Linux or BSD).")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _process(host: str, port: int, log_level: str, access_log: bool, proxy_headers: bool) -> None:
    sock = listening_socket(host, port)
    config = uvicorn.Config(
        APP,
        factory=True,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=proxy_headers,
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "info",
    access_log: bool = True,
    proxy_headers: bool = False,
) -> int:
    # Bind once here first: a taken port is reported at once, not by every process.
    listening_socket(host, port).close()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=_process,
            args=(host, port, log_level, access_log, proxy_headers),
            name=f"podium-api-{n}",
        )
        for n in range(workers)
    ]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()  # uvicorn finishes the requests at work, then exits

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in processes:
        process.start()
    wait([p.sentinel for p in processes])
    failed = not stopping
    if failed:
        stopped = next(p for p in processes if not p.is_alive())
        print(f"{stopped.name} stopped (exit code {stopped.exitcode}).", file=sys.stderr)
        stop(signal.SIGTERM, None)
    for process in processes:
        process.join()
    return 1 if failed else 0
