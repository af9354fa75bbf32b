"""The box office's customer lookup, and consent changes asked for at the counter."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, get, patch
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from ticketing.core.errors import Forbidden
from ticketing.customers import service
from ticketing.customers.schemas import ConsentIn, CustomerOut
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.principal import Principal

# Its length is checked by the service, which names the field plainly in its answer.
Query = Annotated[
    str,
    QueryParameter(
        description=(
            f"Part of a name, e-mail address or phone number ({service.MIN_QUERY} to"
            f" {service.MAX_QUERY} characters)."
        )
    ),
]


def has_role(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard: the caller holds one of the route's opt["roles"] somewhere. Only for routes
    that name no resource: one that does answers 404 through the scope instead, so that
    nothing tells whether it exists."""
    principal = connection.scope.get("user")
    roles = handler.opt["roles"]
    if not isinstance(principal, Principal) or not principal.has_any(roles):
        raise Forbidden("Your role does not include looking up customers.")


class CustomerController(Controller):
    path = "/customers"
    tags = ["customers"]

    @get(
        "/",
        summary="Find a customer of my cluster by name, e-mail or phone (at most 20)",
        guards=[has_role],
        opt={"roles": service.LOOKUP},
    )
    async def search(self, db: Db, principal: Caller, q: Query) -> list[CustomerOut]:
        return await service.search(db, principal, q)

    @get("/{customer_id:uuid}", summary="A customer of my cluster")
    async def get_customer(
        self, db: Db, principal: Caller, customer_id: FromPath[uuid.UUID]
    ) -> CustomerOut:
        return await service.get_shown(db, principal, customer_id)

    @patch("/{customer_id:uuid}", summary="Record a consent choice the customer states")
    async def record_consent(
        self, db: Db, principal: Caller, customer_id: FromPath[uuid.UUID], data: JSONBody[ConsentIn]
    ) -> CustomerOut:
        return await service.record_consent(db, principal, customer_id, data)


CONTROLLERS = [CustomerController]
