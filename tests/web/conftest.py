"""The platform as the pages meet it: `podium serve` with the demo's three clusters, Stripe
in test mode on localstripe (its signed webhooks delivered to the API), and a worker that
handles the webhooks and the outbox the way the Celery workers do."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fixtures.live import live_server
from fixtures.stripe_support import WEBHOOK_SECRET
from fixtures.support import TICKETS_SECRET, keeping
from fixtures.tickets_support import run_outbox
from fixtures.web_support import Platform

from ticketing.core import keyring
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.demo.seed import seed_demo
from ticketing.payments import stripe_flow
from ticketing.payments.gateway import StripeGateway
from ticketing.payments.localstripe import send_webhooks
from ticketing.settings import StripeSettings, TicketSettings

PUBLISHABLE_KEY = "pk_test_podium"
SECRET_KEY = "sk_test_podium"


async def _work(sessionmaker: SessionMaker) -> None:
    """What the Celery workers do: the Stripe inbox, then the outbox, again and again."""
    while True:
        for event_id in await stripe_flow.unprocessed_events(sessionmaker):
            await stripe_flow.process_event(sessionmaker, event_id, stripe_flow.worker_gateway)
        await run_outbox(sessionmaker)
        await asyncio.sleep(0.3)


@pytest.fixture(scope="module")
async def platform(
    server_url: str, localstripe_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    env = {
        "TICKETING_STRIPE__SECRET_KEY": SECRET_KEY,
        "TICKETING_STRIPE__PUBLISHABLE_KEY": PUBLISHABLE_KEY,
        "TICKETING_STRIPE__WEBHOOK_SECRET": WEBHOOK_SECRET,
        "TICKETING_STRIPE__API_BASE": localstripe_url,
        "TICKETING_STRIPE__LOCALSTRIPE": "true",
        "TICKETING_STRIPE__TEST_PAYMENT_PAGE": "true",
    }
    log_dir = Path(tmp_path_factory.mktemp("web"))
    # this module's keyring (the live server's secret) is undone when it ends
    with keeping(keyring.TICKETS):
        async with live_server(server_url, log_dir, prefix="podium_web", env=env) as live:
            engine = create_engine(live.database_url, pool_size=3)
            sessionmaker = create_sessionmaker(engine)
            keyring.configure(TicketSettings(secret_key=TICKETS_SECRET), live.base)  # type: ignore[arg-type]
            stripe_settings = StripeSettings(
                secret_key=SECRET_KEY,  # type: ignore[arg-type]
                api_base=localstripe_url,
                localstripe=True,
            )
            stripe_flow.set_gateway_factory(lambda: StripeGateway(stripe_settings))
            send_webhooks(
                localstripe_url,
                Path(live.database_url).name,
                f"{live.base}/webhooks/stripe",
                WEBHOOK_SECRET,
            )
            await seed_demo(sessionmaker)
            worker = asyncio.create_task(_work(sessionmaker))
            try:
                yield Platform(live.base, live.database_url, sessionmaker)
            finally:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
                stripe_flow.set_gateway_factory(None)
                await engine.dispose()
