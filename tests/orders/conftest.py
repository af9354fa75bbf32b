from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant

from ticketing import clock


@pytest.fixture
async def performance(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    return await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)
