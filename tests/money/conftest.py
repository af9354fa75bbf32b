"""The money tests sell at the counter and online: the app talks to localstripe."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fixtures.stripe_support import WEBHOOK_SECRET
from fixtures.support import JWT_SECRET, app_runtime
from litestar import Litestar

from ticketing.app import create_app
from ticketing.db.engine import SessionMaker
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import StripeGateway
from ticketing.settings import AuthSettings, Settings, StripeSettings


@pytest.fixture
def stripe_settings(settings: Settings, localstripe_url: str) -> Iterator[Settings]:
    configured = settings.model_copy(
        update={
            "stripe": StripeSettings(
                secret_key="sk_test_podium",  # type: ignore[arg-type]
                publishable_key="pk_test_podium",
                webhook_secret=WEBHOOK_SECRET,  # type: ignore[arg-type]
                api_base=localstripe_url,
                localstripe=True,
            ),
            "auth": AuthSettings(jwt_secret=JWT_SECRET),  # type: ignore[arg-type]
        }
    )
    stripe_flow.set_gateway_factory(lambda: StripeGateway(configured.stripe))
    yield configured
    stripe_flow.set_gateway_factory(None)


@pytest.fixture
def app(stripe_settings: Settings, sessionmaker: SessionMaker) -> Iterator[Litestar]:
    with app_runtime(create_app(stripe_settings, sessionmaker=sessionmaker)) as app:
        yield app


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
        yield client
