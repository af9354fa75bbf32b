"""A door route refused for its token leaves nothing for the garbage collector to do.

Litestar does not clean up the dependencies it resolved already (the unit of work) when a
later one (the device) raises. The session was then closed by the garbage collector, from
a task of its own, in the middle of whatever ran at that moment: on the shared test
connection a rollback sent while another statement was running ("another operation is in
progress"), in production a pooled connection held until the collector came by.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import httpx
from fixtures.support import assert_problem
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_a_refused_device_token_leaves_no_statement_behind(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    for n in range(3):
        answer = await client.get("/scanner/kit", headers={"authorization": f"Bearer dev_guess{n}"})
        assert_problem(answer, 401)
    late: list[str] = []

    def sent(*args: Any) -> None:
        late.append(str(args[2]) if len(args) > 2 else "savepoint rollback")

    event.listen(engine.sync_engine, "before_cursor_execute", sent)
    event.listen(engine.sync_engine, "rollback_savepoint", sent)
    try:
        gc.collect()  # what the collector finds of the requests runs now, not mid-test
        for _ in range(5):
            await asyncio.sleep(0)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", sent)
        event.remove(engine.sync_engine, "rollback_savepoint", sent)
    assert late == []
