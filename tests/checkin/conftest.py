from __future__ import annotations

from typing import Any

import httpx
import pytest
from fixtures.support import Tenant
from fixtures.tickets_support import performance_on_sale

from ticketing.db.engine import SessionMaker


@pytest.fixture
async def performance(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: SessionMaker
) -> dict[str, Any]:
    return await performance_on_sale(client, tenant, sessionmaker)
