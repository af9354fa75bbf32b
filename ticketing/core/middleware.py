"""Request ids (every answer carries X-Request-ID, and every logged error names it) and
the limit on requests at work at once."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

_SAFE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


UNQUEUED = ("/health", "/static/")


def in_flight_limit(limit: int) -> Callable[[ASGIApp], ASGIApp]:
    """At most `limit` HTTP requests of this process at work at once; the others wait their
    turn in arrival order (before they touch the database).

    In an on-sale rush, letting every buyer in at once makes them all slower: the database
    connections, the event loop and the locks on the last places are shared, and the
    unlucky ones wait for seconds. A short queue in front keeps the work moving and the
    waiting fair. A request holds no lock while it queues, so the queue cannot deadlock.

    The health check and static files do not queue: a load balancer's probe must not time
    out because the platform is busy selling."""

    # One gate for the whole process: Litestar wraps every route with the middleware
    # separately, and the limit is on requests, whatever their route.
    gate = asyncio.Semaphore(limit)

    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP or scope["path"].startswith(UNQUEUED):
                await app(scope, receive, send)
                return
            async with gate:
                await app(scope, receive, send)

        return middleware

    return wrap
