"""The in-flight limit: no more than N requests at work at once, the rest wait their turn
and all get their answer."""

from __future__ import annotations

import asyncio

from litestar.types import Receive, Scope, Send

from ticketing.core.middleware import in_flight_limit


async def test_at_most_the_limit_at_work_and_everyone_served() -> None:
    at_work = 0
    most = 0
    served: list[int] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal at_work, most
        at_work += 1
        most = max(most, at_work)
        await asyncio.sleep(0.01)
        at_work -= 1
        served.append(scope["n"])  # type: ignore[typeddict-item]

    limited = in_flight_limit(2)(app)

    async def noop_receive() -> dict[str, str]:
        return {"type": "http.request"}

    async def noop_send(message: object) -> None:
        return None

    await asyncio.gather(
        *(
            limited({"type": "http", "path": "/x", "n": n}, noop_receive, noop_send)  # type: ignore[arg-type,typeddict-unknown-key]
            for n in range(7)
        )
    )
    assert most == 2
    assert served == list(range(7))  # in arrival order


async def test_the_limit_holds_across_routes() -> None:
    """Litestar wraps each route with the middleware on its own: the routes share one
    limit all the same (selling a basket and holding places wait in one line)."""
    at_work = 0
    most = 0

    async def route(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal at_work, most
        at_work += 1
        most = max(most, at_work)
        await asyncio.sleep(0.01)
        at_work -= 1

    limit = in_flight_limit(2)
    holds, orders = limit(route), limit(route)

    async def noop_receive() -> dict[str, str]:
        return {"type": "http.request"}

    async def noop_send(message: object) -> None:
        return None

    await asyncio.gather(
        *(
            (holds if n % 2 else orders)({"type": "http", "path": "/x"}, noop_receive, noop_send)  # type: ignore[arg-type,typeddict-item]
            for n in range(8)
        )
    )
    assert most == 2


async def test_lifespan_and_websocket_pass_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    limited = in_flight_limit(1)(app)
    await limited({"type": "lifespan"}, None, None)  # type: ignore[arg-type,typeddict-item]
    assert seen == ["lifespan"]


async def test_the_health_check_does_not_queue() -> None:
    release = asyncio.Event()
    answered: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == "/box-office/orders":
            await release.wait()
        answered.append(scope["path"])

    limited = in_flight_limit(1)(app)
    busy = asyncio.create_task(limited({"type": "http", "path": "/box-office/orders"}, None, None))  # type: ignore[arg-type,typeddict-item]
    await asyncio.sleep(0)
    await asyncio.wait_for(limited({"type": "http", "path": "/health"}, None, None), 1)  # type: ignore[arg-type,typeddict-item]
    assert answered == ["/health"]
    release.set()
    await busy
