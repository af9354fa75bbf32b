"""`podium serve`: the API in several processes behind one listening socket, as production
and the benchmark run it.

The parent accepts every connection itself and hands it to the process that holds the
fewest open connections at that moment (over a Unix socket, with the connection's file
descriptor). A process tells the parent when one of its connections closes.

Why not let the kernel choose: with one shared socket (`uvicorn --workers`), whichever
process wakes first accepts the next connection, so an idle process collects them; with
a socket per process (SO_REUSEPORT) the kernel spreads them by a hash of each connection,
so 64 connections can end up 42 and 22. Each process serves about the same number of
requests per second, so on the busier one every request waits longer. This matters
most behind a proxy or a load generator that keeps a few long-lived connections.

The parent also supervises: when a process stops unexpectedly it stops the others and
exits with an error, so the service manager restarts the whole API.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import selectors
import signal
import socket
import sys
from dataclasses import dataclass
from functools import partial
from typing import Any

import uvicorn

APP = "ticketing.app:create_app"
BACKLOG = 2048
_CLOSED = b"."  # a process to the parent: one of my connections closed
_HANDED = b"c"  # the parent to a process: here is a connection (its descriptor rides along)
_MAX_FDS = 64  # descriptors a process takes from the channel per read


def listening_socket(host: str, port: int) -> socket.socket:
    """The API's listening socket (a taken port raises OSError at once)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


class _HandedServer(uvicorn.Server):
    """uvicorn serving the connections the parent hands over, instead of accepting."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.opening: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # no listening socket of our own
        channel, base = self.channel, self.config.http_protocol_class

        class Counted(base):  # type: ignore[misc, valid-type]
            def connection_lost(self, exc: Exception | None) -> None:
                super().connection_lost(exc)
                _tell_parent(channel)

        self.protocol_class = Counted
        channel.setblocking(False)
        asyncio.get_running_loop().add_reader(channel.fileno(), self._receive)

    def _protocol(self) -> asyncio.Protocol:
        protocol: asyncio.Protocol = self.protocol_class(
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )
        return protocol

    def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            message, fds, _flags, _address = socket.recv_fds(self.channel, _MAX_FDS, _MAX_FDS)
        except BlockingIOError:
            return
        if not message:  # the parent is gone: finish what is at work and stop
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
        for fd in fds:
            connection = socket.socket(fileno=fd)
            if self.should_exit:
                connection.close()
                _tell_parent(self.channel)
                continue
            connection.setblocking(False)
            task = loop.create_task(loop.connect_accepted_socket(self._protocol, connection))
            self.opening.add(task)
            task.add_done_callback(self._opened)

    def _opened(self, task: asyncio.Task[Any]) -> None:
        self.opening.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _tell_parent(self.channel)  # the client left before it was set up

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        await super().shutdown(sockets=sockets)


def _tell_parent(channel: socket.socket) -> None:
    """One of this process's connections closed."""
    with contextlib.suppress(OSError):  # the parent is gone: this process stops anyway
        channel.send(_CLOSED)


def _process(channel: socket.socket, log_level: str, access_log: bool, proxy_headers: bool) -> None:
    config = uvicorn.Config(
        APP,
        factory=True,
        log_level=log_level,
        access_log=access_log,
        proxy_headers=proxy_headers,
    )
    _HandedServer(config, channel).run()


@dataclass
class _Worker:
    process: Any  # multiprocessing's SpawnProcess
    channel: socket.socket
    open: int = 0


class _Dispatcher:
    """The parent's side: accept, hand over, count, and notice a stopped process."""

    def __init__(self, listener: socket.socket, pool: list[_Worker]) -> None:
        self.listener = listener
        self.pool = pool
        self.turn = 0
        self.failed = False

    def least_busy(self) -> list[_Worker]:
        """The processes by open connections, fewest first; ties in turn."""
        count = len(self.pool)
        in_turn = [self.pool[(self.turn + i) % count] for i in range(count)]
        return sorted(in_turn, key=lambda worker: worker.open)

    def accept(self) -> None:
        """Hand every waiting connection to the least busy process that takes it."""
        while True:
            try:
                connection, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. out of descriptors for now: the kernel keeps it queued
            with connection:  # the process holds its own copy once handed over
                for worker in self.least_busy():
                    try:
                        socket.send_fds(worker.channel, [_HANDED], [connection.fileno()])
                    except OSError:
                        continue  # its channel is full or it is stopping: try another
                    worker.open += 1
                    self.turn = (self.pool.index(worker) + 1) % len(self.pool)
                    break
                # Taken by none (every process stopping): it closes, the client retries.

    def stopped(self) -> None:
        self.failed = True  # a process stopped on its own

    def closed(self, worker: _Worker) -> None:
        try:
            notices = worker.channel.recv(4096)
        except BlockingIOError:
            return
        if not notices:
            self.failed = True  # the process is gone
        worker.open = max(0, worker.open - len(notices))


def serve(
    *,
    host: str,
    port: int,
    workers: int,
    log_level: str = "info",
    access_log: bool = True,
    proxy_headers: bool = False,
) -> int:
    listener = listening_socket(host, port)
    listener.setblocking(False)
    # A signal is only noted, and wakes the loop below through this pair; a stop asked
    # while the processes start is seen there too.
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno())
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.append(signum))

    context = multiprocessing.get_context("spawn")
    pool: list[_Worker] = []
    for n in range(workers):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        process = context.Process(
            target=_process,
            args=(theirs, log_level, access_log, proxy_headers),
            name=f"podium-api-{n}",
        )
        process.start()
        theirs.close()
        ours.setblocking(False)
        pool.append(_Worker(process, ours))

    dispatcher = _Dispatcher(listener, pool)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, dispatcher.accept)
    selector.register(wake_read, selectors.EVENT_READ, lambda: wake_read.recv(64))
    for worker in pool:
        selector.register(worker.channel, selectors.EVENT_READ, partial(dispatcher.closed, worker))
        selector.register(worker.process.sentinel, selectors.EVENT_READ, dispatcher.stopped)
    try:
        while not stopping and not dispatcher.failed:
            for key, _ in selector.select():
                key.data()
    finally:
        selector.close()
        listener.close()
        signal.set_wakeup_fd(-1)
        wake_read.close()
        wake_write.close()
        stopped = next((w.process for w in pool if not w.process.is_alive()), None)
        if not stopping and stopped is not None:
            print(f"{stopped.name} stopped (exit code {stopped.exitcode}).", file=sys.stderr)
        for worker in pool:
            if worker.process.is_alive():
                worker.process.terminate()  # uvicorn finishes the requests at work, then exits
        for worker in pool:
            worker.process.join()
            worker.channel.close()
    return 0 if stopping and not dispatcher.failed else 1
