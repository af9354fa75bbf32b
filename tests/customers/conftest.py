from __future__ import annotations

from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant


@pytest.fixture
async def performance(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    return await put_on_sale(client, tenant, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
