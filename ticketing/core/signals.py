"""Signals: how a domain lets the domains above it react to its changes without importing
them (imports run one way, down the layers of docs/architecture.md).

The lower domain declares a signal beside its service and sends it when the change
happens; a higher domain subscribes in its own `subscribers.py`, which
`ticketing/handlers.py` imports at start-up (the API, the workers and the tests all import
it). Subscribers run in the sender's transaction, in the order they were connected, so
their writes commit or roll back with the change; a subscriber that raises fails the
change. Effects outside the database still go through the outbox.

A signal is `required` unless declared otherwise: sending one that nobody subscribed to
is a start-up mistake (a module left out of handlers.py), and raises rather than silently
dropping the reaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
Subscriber = Callable[[AsyncSession, T], Awaitable[None]]

SIGNALS: dict[str, Signal[object]] = {}


class Signal(Generic[T]):
    """A named change; its payload is one typed object (usually a frozen dataclass)."""

    def __init__(self, name: str, *, required: bool = True) -> None:
        if name in SIGNALS:
            raise ValueError(f"signal {name!r} is declared twice")
        self.name = name
        self.required = required
        self.subscribers: list[Subscriber[T]] = []
        SIGNALS[name] = self  # type: ignore[assignment]

    def connect(self, fn: Subscriber[T]) -> Subscriber[T]:
        """Subscribe fn (usable as a decorator); connecting the same function twice is a
        no-op, so importing a subscriber module again changes nothing."""
        if fn not in self.subscribers:
            self.subscribers.append(fn)
        return fn

    async def send(self, session: AsyncSession, payload: T) -> None:
        if self.required and not self.subscribers:
            raise RuntimeError(
                f"signal {self.name!r} has no subscriber: is its module imported by "
                "ticketing/handlers.py?"
            )
        for subscriber in self.subscribers:
            await subscriber(session, payload)

    def __repr__(self) -> str:
        return f"Signal({self.name!r}, {len(self.subscribers)} subscribers)"
