from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fixtures.support import Tenant
from fixtures.tickets_support import Inbox, free_port, performance_on_sale

from ticketing.core import keyring
from ticketing.db.engine import SessionMaker
from ticketing.settings import Settings


@pytest.fixture
def inbox(settings: Settings) -> Iterator[Inbox]:
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    tickets = settings.tickets.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": controller.port}
    )
    keyring.configure(tickets, "http://tickets.test")
    yield received
    controller.stop()
    keyring.configure(settings.tickets, settings.public_url)


@pytest.fixture
async def performance(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: SessionMaker
) -> dict[str, Any]:
    return await performance_on_sale(client, tenant, sessionmaker)
