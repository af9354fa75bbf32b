"""The money tests sell at the counter and online: the app talks to localstripe, whose
signed webhooks a local receiver collects (as in tests/payments)."""

from __future__ import annotations

import http.server
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fixtures.stripe_support import WEBHOOK_SECRET, Deliveries
from fixtures.support import JWT_SECRET, app_runtime
from litestar import Litestar

from ticketing import clock
from ticketing.app import create_app
from ticketing.db.engine import SessionMaker
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import StripeGateway
from ticketing.payments.localstripe import send_webhooks
from ticketing.settings import AuthSettings, Settings, StripeSettings


@pytest.fixture
def deliveries(localstripe_url: str) -> Iterator[Deliveries]:
    received = Deliveries()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.items.put((body, self.headers.get("Stripe-Signature", "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    send_webhooks(localstripe_url, uuid.uuid4().hex, url, WEBHOOK_SECRET)
    yield received
    server.shutdown()


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


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


@pytest.fixture
def app(stripe_settings: Settings, sessionmaker: SessionMaker) -> Iterator[Litestar]:
    with app_runtime(create_app(stripe_settings, sessionmaker=sessionmaker)) as app:
        yield app


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
        yield client
