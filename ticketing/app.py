"""create_app(): plugins, OpenAPI, error handlers and routers."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, MediaType, Response, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.static_files import create_static_files_router

import ticketing.handlers  # noqa: F401 - registers every outbox topic
from ticketing.checkin.controllers import CONTROLLERS as CHECKIN_CONTROLLERS
from ticketing.core import jobs, keyring
from ticketing.core.errors import EXCEPTION_HANDLERS
from ticketing.core.guards import body_guard, head_as_get, request_line_guard
from ticketing.core.middleware import in_flight_limit, request_id_middleware
from ticketing.core.openapi import openapi_config, plugins
from ticketing.core.ratelimit import public_secret_limit
from ticketing.core.runtime import Runtime, runtime_middleware
from ticketing.customers.controllers import CONTROLLERS as CUSTOMER_CONTROLLERS
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker, ping
from ticketing.events.controllers import CONTROLLERS as EVENT_CONTROLLERS
from ticketing.inventory import programme
from ticketing.inventory import repository as inventory_repository
from ticketing.inventory.controllers import CONTROLLERS as INVENTORY_CONTROLLERS
from ticketing.money.controllers import CONTROLLERS as MONEY_CONTROLLERS
from ticketing.money.settlement_controllers import CONTROLLERS as SETTLEMENT_CONTROLLERS
from ticketing.orders.controllers import CONTROLLERS as ORDER_CONTROLLERS
from ticketing.payments.controllers import CONTROLLERS as PAYMENT_CONTROLLERS
from ticketing.seatmaps.controllers import CONTROLLERS as SEATMAP_CONTROLLERS
from ticketing.settings import Settings, get_settings
from ticketing.tenancy import audit
from ticketing.tenancy.audit import audit_middleware
from ticketing.tenancy.auth import BearerAuthMiddleware
from ticketing.tenancy.controllers import CONTROLLERS as TENANCY_CONTROLLERS
from ticketing.tenancy.deps import DEPENDENCIES
from ticketing.tickets.controllers import CONTROLLERS as TICKET_CONTROLLERS
from ticketing.uitdatabank.controllers import CONTROLLERS as UITDATABANK_CONTROLLERS
from ticketing.venues.controllers import CONTROLLERS as VENUE_CONTROLLERS
from ticketing.web.api_docs import doc_pages
from ticketing.web.controllers import PAGES, STATIC_DIR
from ticketing.web.security import security_headers

VERSION = "0.1.0"

log = logging.getLogger("ticketing")


@get("/health", exclude_from_auth=True, tags=["meta"], summary="Liveness and database check")
async def health(state: State) -> dict[str, str]:
    sessionmaker: SessionMaker = state.sessionmaker
    await ping(sessionmaker)
    return {"status": "ok"}


@get("/", exclude_from_auth=True, include_in_schema=False)
async def index() -> Response[dict[str, Any]]:
    return Response(
        {
            "name": "Podium API",
            "version": VERSION,
            "docs": {
                "scalar": "/schema",
                "swagger": "/schema/swagger",
                "openapi": "/schema/openapi.json",
            },
        },
        media_type=MediaType.JSON,
    )


def create_app(
    settings: Settings | None = None, sessionmaker: SessionMaker | None = None
) -> Litestar:
    """Build the ASGI app. Tests pass their own sessionmaker; servers build one per process."""
    settings = settings or get_settings()
    if not settings.auth.jwt_secret.get_secret_value():
        raise RuntimeError("Set TICKETING_AUTH__JWT_SECRET (make demo sets one for you).")
    # The process's configuration travels on the app (docs/architecture.md, "Runtime"):
    # every request runs inside it. The keyring is built now, so a missing secret stops
    # the start.
    runtime = Runtime(settings)
    runtime.get(keyring.TICKETS)
    # The API's processes reuse what every hold and listing asks (workers read afresh).
    runtime.put(
        inventory_repository.SALE_TARGET_SECONDS, settings.inventory.sale_target_cache_seconds
    )
    runtime.put(programme.PROGRAMME_SECONDS, settings.inventory.programme_cache_seconds)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = None
        if sessionmaker is None:
            if not settings.database_url:
                raise RuntimeError(
                    "Set TICKETING_DATABASE_URL, or start the platform with `make demo`."
                )
            engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
            app.state.sessionmaker = create_sessionmaker(engine)
            # Everything built so far lives as long as the process: leave it out of the
            # garbage collector's full passes, which would otherwise walk it all (a pause
            # of about 80 ms in the middle of an on-sale).
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await jobs.drain()  # tasks queued by the last requests still go out
            if engine is not None:
                await engine.dispose()

    state: dict[str, Any] = {"settings": settings, "runtime": runtime}
    if sessionmaker is not None:
        state["sessionmaker"] = sessionmaker

    app = Litestar(
        route_handlers=[
            health,
            index,
            *PAGES,
            *TENANCY_CONTROLLERS,
            *VENUE_CONTROLLERS,
            *SEATMAP_CONTROLLERS,
            *EVENT_CONTROLLERS,
            *INVENTORY_CONTROLLERS,
            *ORDER_CONTROLLERS,
            *CUSTOMER_CONTROLLERS,
            *PAYMENT_CONTROLLERS,
            *TICKET_CONTROLLERS,
            *CHECKIN_CONTROLLERS,
            *MONEY_CONTROLLERS,
            *SETTLEMENT_CONTROLLERS,
            *UITDATABANK_CONTROLLERS,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        dependencies=DEPENDENCIES,
        middleware=[
            runtime_middleware(runtime),
            in_flight_limit(settings.max_in_flight),
            request_id_middleware,
            request_line_guard,
            DefineMiddleware(BearerAuthMiddleware, exclude=["^/schema", "^/static/"]),
            public_secret_limit,
            audit_middleware,
            body_guard,
        ],
        after_request=audit.record,
        # The widget reads the public programme from houses' own websites. Only GET, no
        # cookies: every staff route needs a bearer token that such a page does not have.
        cors_config=CORSConfig(allow_origins=["*"], allow_methods=["GET"], allow_credentials=False),
        exception_handlers=EXCEPTION_HANDLERS,
        before_send=[security_headers(settings)],
        openapi_config=openapi_config(VERSION, doc_pages()),
        plugins=plugins(),
        lifespan=[lifespan],
        state=State(state),
        debug=settings.debug,
    )
    app.asgi_handler = head_as_get(app.asgi_handler)
    return app
