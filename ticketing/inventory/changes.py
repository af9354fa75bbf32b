"""Who is told that places of a performance changed hands: an order took them, a basket,
an unpaid order or a cancellation gave them back, staff blocked or freed seats.

A listener runs in the transaction that made the change, so what it stores (an outbox
message) commits or rolls back with it. Listeners register at import (the UiTdatabank
sync does), which keeps the selling path free of what they are for; with none, telling
them costs nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable

from sqlmodel.ext.asyncio.session import AsyncSession

Listener = Callable[[AsyncSession, set[uuid.UUID]], Awaitable[None]]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


async def places_changed(session: AsyncSession, performance_ids: Iterable[uuid.UUID]) -> None:
    if not _listeners:
        return
    ids = set(performance_ids)
    if ids:
        for listener in _listeners:
            await listener(session, ids)
