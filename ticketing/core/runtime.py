"""What a process was configured with: its settings and what is built from them once (the
tickets' keyring, the UiTdatabank connection settings, the payment gateway).

The API builds one in `create_app` and keeps it on `app.state.runtime`; every request
runs inside it. A Celery worker builds one per process (`workers/runtime.py`); every
task runs inside it. Code that needs a part asks `current().get(PART)`; the part is built
from the settings on first use and kept. Nothing is set on a module by `create_app`, so
two apps in one process (the tests make many) each keep their own.

Outside a request or a task (a script, a benchmark, a test calling a service directly),
`current()` is the process's default runtime: built from `get_settings()`, or the one a
script or test installs with `set_default`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from litestar.types import ASGIApp, Receive, Scope, Send

from ticketing.settings import Settings, get_settings

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Part(Generic[T]):
    """One thing built from the settings, declared by the package that uses it."""

    name: str
    build: Callable[[Settings], T]


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._parts: dict[Part[Any], Any] = {}

    def get(self, part: Part[T]) -> T:
        if part not in self._parts:
            self._parts[part] = part.build(self.settings)
        return cast(T, self._parts[part])

    def put(self, part: Part[T], value: T | None) -> None:
        """Use this value for the part (tests swap the payment gateway); None: build it
        from the settings again on next use."""
        if value is None:
            self._parts.pop(part, None)
        else:
            self._parts[part] = value


_entered: ContextVar[Runtime | None] = ContextVar("podium_runtime", default=None)
_default: Runtime | None = None


def current() -> Runtime:
    """The runtime of this request or task; outside one, the process's default."""
    runtime = _entered.get()
    if runtime is not None:
        return runtime
    global _default
    if _default is None:
        _default = Runtime(get_settings())
    return _default


@contextmanager
def entered(runtime: Runtime) -> Iterator[Runtime]:
    """Run the block (a request, a task) inside this runtime."""
    token = _entered.set(runtime)
    try:
        yield runtime
    finally:
        _entered.reset(token)


def set_default(runtime: Runtime | None) -> Runtime | None:
    """For scripts and tests: the runtime of code that runs outside a request or task
    (None: build it from get_settings() again). Returns the one it replaces."""
    global _default
    previous, _default = _default, runtime
    return previous


def runtime_middleware(runtime: Runtime) -> Callable[[ASGIApp], ASGIApp]:
    """The API's middleware that runs every request inside the app's runtime."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def enter(scope: Scope, receive: Receive, send: Send) -> None:
            with entered(runtime):
                await app(scope, receive, send)

        return enter

    return middleware
