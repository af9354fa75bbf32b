from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fixtures.support import Tenant, keeping
from fixtures.tickets_support import Inbox, free_port, performance_on_sale
from litestar import Litestar

from ticketing.core import keyring
from ticketing.db.engine import SessionMaker
from ticketing.settings import Settings


@pytest.fixture
def inbox(app: Litestar, settings: Settings) -> Iterator[Inbox]:
    """A mail server the app's tickets are mailed to: the app (and with it its runtime,
    the default while the test runs) is set up first, so the mail settings go there."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    tickets = settings.tickets.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": controller.port}
    )
    try:
        with keeping(keyring.TICKETS) as runtime:
            assert runtime is app.state.runtime
            keyring.configure(tickets, "http://tickets.test")
            yield received
    finally:
        controller.stop()


@pytest.fixture
async def performance(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: SessionMaker
) -> dict[str, Any]:
    return await performance_on_sale(client, tenant, sessionmaker)
