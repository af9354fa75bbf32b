"""The audit log of staff writes.

Every answered non-GET request of a staff principal (an account's login token or an API
token) adds one `audit_entry`: who, when, which house, which operation on which resource,
the answer's status and the request id. The entry is a deferred write of the request's
own unit of work (`raw.defer`), so it commits with the change and goes when the change is
rolled back. A request that fails (an error answer: refused, invalid, a conflict) changes
nothing and records nothing; the error is in the log with its request id.

How it finds the request: `audit_middleware` notes the ASGI scope of a write in a context
variable; the app's `after_request` hook (`record`) runs after the handler, before the
unit of work commits, and writes the entry on the session the `db` dependency noted in
the scope (`note_session`).

Not audited: public routes (the shop's buyers, logins), and the door devices' scans
(a device token is not a staff principal; a busy door would flood the log).
"""

from __future__ import annotations

import contextvars
import json
import re
import uuid
from typing import Any

from litestar import Response
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db import raw
from ticketing.db.uow import unit_of_work
from ticketing.tenancy.models import AuditEntry
from ticketing.tenancy.principal import Principal

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SESSION = "podium.db"
_HOUSE = "podium.audit_house"
_WRITE: contextvars.ContextVar[Scope | None] = contextvars.ContextVar("audit_write", default=None)
_CONVERTER = re.compile(r"{(\w+):[^}]+}")

# The table behind an id in a path, to find the house of the resource it names. A path
# without one of these finds its house in the answer, the body or the caller.
ID_TABLES = {
    "venue_id": "venue",
    "hall_id": "hall",
    "layout_id": "seat_map_layout",
    "event_id": "event",
    "performance_id": "performance",
    "tariff_id": "tariff",
    "hold_id": "hold",
    "order_id": "customer_order",
    "ticket_id": "ticket",
    "till_id": "till_session",
    "token_id": "api_token",
    "device_id": "scanner_device",
}

COLUMNS = raw.columns(AuditEntry)
INSERT = raw.insert_sql(AuditEntry, COLUMNS)


def audit_middleware(app: ASGIApp) -> ASGIApp:
    """Notes a write's scope for `record` (which gets only the response)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] in SAFE_METHODS:
            await app(scope, receive, send)
            return
        token = _WRITE.set(scope)
        try:
            await app(scope, receive, send)
        finally:
            _WRITE.reset(token)

    return middleware


async def note_session(scope: Scope, session: AsyncSession) -> None:
    """The request's unit of work, for the entry to commit with (called by `db`).

    An audited write (a staff principal's non-safe request) has its session marked
    transactional here, before the handler: the selling path otherwise lets a request's
    only write commit on its own (`raw.single`, a new basket), and the entry, written
    after the handler, would then commit apart from the change it records. A buyer's
    basket keeps that fast path. A DELETE's resource may be gone when the entry is
    written: its house is read first."""
    state = scope.setdefault("state", {})
    state[_SESSION] = session
    if scope.get("method") in SAFE_METHODS or not isinstance(scope.get("user"), Principal):
        return
    raw.transactional(session)  # the change and its entry commit together
    if scope.get("method") == "DELETE":
        state[_HOUSE] = await _house_of_path(session, scope)


def operation(scope: Scope) -> str:
    """METHOD and the route as the OpenAPI document writes it: PATCH /venues/{venue_id}."""
    return f"{scope.get('method', '')} {_template(scope)}"


def _template(scope: Scope) -> str:
    return _CONVERTER.sub(r"{\1}", scope.get("path_template") or scope["path"])


def _answer(content: Any) -> dict[str, Any]:
    if isinstance(content, BaseModel):
        return content.model_dump(mode="json", include={"id", "house_id", "cluster_id"})
    if isinstance(content, dict):
        return content
    return {}


def _body(scope: Scope) -> dict[str, Any]:
    """The request's JSON body as the handler read it (Litestar keeps it in the scope)."""
    body = ScopeState.from_scope(scope).body
    if not isinstance(body, bytes) or not body.startswith(b"{"):
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _kind(segment: str) -> str:
    return segment.removesuffix("s")


def resource(scope: Scope, answer: dict[str, Any]) -> tuple[str | None, str | None]:
    """The resource a write acted on: the last id of the path (DELETE /staff/{user_id}/
    roles/{assignment_id} -> assignment); an action's (POST /orders/{order_id}/cancel ->
    order); or what a create answers (POST /venues -> venue, POST /halls/{hall_id}/
    layouts -> layout, POST /till/open -> till)."""
    parts = [p for p in _template(scope).split("/") if p]
    params: dict[str, Any] = scope.get("path_params", {})
    names = [p[1:-1] for p in parts if p.startswith("{")]
    literals = [p for p in parts if not p.startswith("{") and p != "box-office"]
    if parts and parts[-1].startswith("{"):
        return names[-1].removesuffix("_id"), str(params.get(names[-1], ""))[:64] or None
    answered = str(answer.get("id", ""))[:64]
    for name in reversed(names):
        if answered and str(params.get(name)) == answered:
            return name.removesuffix("_id"), answered
    if answered:
        created = literals[-1] if names else literals[0]
        return _kind(created), answered
    if names:
        return names[-1].removesuffix("_id"), str(params.get(names[-1], ""))[:64] or None
    return (_kind(literals[0]) if literals else None), None


async def _house_of_path(session: AsyncSession, scope: Scope) -> uuid.UUID | None:
    """The house of the row named by the path's last id that names a house's row."""
    params: dict[str, Any] = scope.get("path_params", {})
    for name in reversed(re.findall(r"{(\w+)", scope.get("path_template") or "")):
        table = ID_TABLES.get(name)
        if table is not None and name in params:
            # The table name comes from ID_TABLES, never from the request.
            driver = await raw.connection(session)
            house: uuid.UUID | None = await driver.fetchval(
                f"SELECT house_id FROM {table} WHERE id = $1",
                _uuid(params[name]),
            )
            if house is not None:
                return house
    return None


async def _house(
    session: AsyncSession,
    scope: Scope,
    answer: dict[str, Any],
    principal: Principal,
    kind: str | None,
) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    """The house (and cluster) of the write: the answer's, the path's, the resource's
    row's, the body's, or the caller's only house."""
    params: dict[str, Any] = scope.get("path_params", {})
    house = _uuid(answer.get("house_id")) or _uuid(params.get("house_id"))
    if house is None and kind == "house":
        house = _uuid(answer.get("id"))  # a new house
    state = scope.get("state", {})
    if house is None:
        house = state[_HOUSE] if _HOUSE in state else await _house_of_path(session, scope)
    if house is None:
        house = _uuid(_body(scope).get("house_id"))
    if house is None and len(principal.house_roles) == 1:
        house = next(iter(principal.house_roles))
    cluster = principal.house_cluster.get(house) if house is not None else None
    if cluster is None:
        cluster = _uuid(answer.get("cluster_id")) or _uuid(params.get("cluster_id"))
    if cluster is None and house is not None:
        driver = await raw.connection(session)
        cluster = await driver.fetchval("SELECT cluster_id FROM house WHERE id = $1", house)
    return house, cluster


async def record(response: Response[Any]) -> Response[Any]:
    """The app's after_request hook: an entry for the write this response answers."""
    scope = _WRITE.get()
    if scope is None:
        return response
    principal = scope.get("user")
    if not isinstance(principal, Principal):
        return response  # public routes and door devices are not staff writes
    session: AsyncSession | None = scope.get("state", {}).get(_SESSION)
    if session is None:
        # A write without the `db` dependency: the entry gets a transaction of its own.
        async with unit_of_work(scope["app"].state.sessionmaker) as own:
            await _write(own, scope, principal, response)
        return response
    await _write(session, scope, principal, response)
    return response


async def _write(
    session: AsyncSession, scope: Scope, principal: Principal, response: Response[Any]
) -> None:
    answer = _answer(response.content)
    kind, resource_id = resource(scope, answer)
    house, cluster = await _house(session, scope, answer, principal, kind)
    entry = raw.build(
        AuditEntry,
        at=clock.now(),
        house_id=house,
        cluster_id=cluster,
        user_id=principal.user_id,
        api_token_id=principal.api_token_id,
        operation=operation(scope)[:300],
        resource_type=kind,
        resource_id=resource_id,
        status=response.status_code,
        request_id=scope.get("state", {}).get("request_id"),
    )
    raw.defer(session, INSERT, *raw.values(entry, COLUMNS))
