"""Rate limits counted in PostgreSQL, so every API process (and every box) counts together.

A limit is a fixed window: the counter of (key, end of the current window) is raised by
one statement (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), which PostgreSQL runs
atomically however many processes ask at once, so at most `limit` attempts pass in a
window. The table is UNLOGGED: counters are not worth a WAL write, and a crash that
empties it only forgives the attempts of the current window.

Counters are written in their own short transaction (on a connection of their own): the
attempt they count must stay counted when the request's own work is rolled back, as a
failed login is.

The client address is the ASGI client (`scope["client"]`). Behind the reverse proxy,
`podium serve --proxy-headers` makes uvicorn put the address from X-Forwarded-For there,
for a proxy it trusts (FORWARDED_ALLOW_IPS, by default 127.0.0.1; never `*`, or any
client could name its own address). It goes into a counter's key hashed, as the e-mail
address does: a fixed length whatever text a proxy passed on.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import Column, DateTime, Integer, String
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.security import sha256_hex
from ticketing.db import raw
from ticketing.db.engine import SessionMaker
from ticketing.settings import RateLimitSettings, Settings


class RateLimitCounter(SQLModel, table=True):
    __tablename__ = "rate_limit_counter"
    __table_args__ = {"prefixes": ["UNLOGGED"]}

    key: str = Field(sa_column=Column(String(100), primary_key=True))
    window_end: datetime = Field(sa_column=Column(DateTime(timezone=True), primary_key=True))
    hits: int = Field(sa_column=Column(Integer, nullable=False))


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window_seconds: int

    def window_end(self, now: datetime) -> datetime:
        start = math.floor(now.timestamp() / self.window_seconds) * self.window_seconds
        return datetime.fromtimestamp(start + self.window_seconds, tz=UTC)


# Each key is raised by its own step (0 reads it); the counts come back in one round trip.
_COUNT = """
    INSERT INTO rate_limit_counter (key, window_end, hits)
    SELECT k, e, n FROM unnest($1::text[], $2::timestamptz[], $3::int[]) AS t(k, e, n)
    ON CONFLICT (key, window_end) DO UPDATE SET hits = rate_limit_counter.hits + excluded.hits
    RETURNING key, hits
"""
# Windows that have ended are of no use; about one call in 200 clears them.
_SWEEP = "DELETE FROM rate_limit_counter WHERE window_end < $1"
SWEEP_ONE_IN = 200


async def count(
    sessionmaker: SessionMaker,
    limits: Sequence[Limit],
    steps: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> list[int]:
    """Raise each limit's counter by its step (default 1; 0 only reads it) and return the
    counts of the windows of `now` (default: the clock's), in order."""
    now = now or clock.now()
    keys = [limit.key for limit in limits]
    ends = [limit.window_end(now) for limit in limits]
    steps = list(steps) if steps is not None else [1] * len(limits)
    async with sessionmaker() as session:
        # One statement outside any transaction (raw.single): it commits at once.
        driver = await raw.single(session)
        rows = await driver.fetch(_COUNT, keys, ends, steps)
        if secrets.randbelow(SWEEP_ONE_IN) == 0:
            await driver.execute(_SWEEP, now)
        await session.commit()
    counts: dict[str, int] = {row["key"]: row["hits"] for row in rows}
    return [counts.get(key, 0) for key in keys]


_GIVE_BACK = """
    UPDATE rate_limit_counter c SET hits = c.hits - 1
    FROM unnest($1::text[], $2::timestamptz[]) AS t(k, e)
    WHERE c.key = t.k AND c.window_end = t.e
"""


def give_back(session: AsyncSession, limits: Sequence[Limit]) -> None:
    """Take back one count of each limit, with the commit of the request's own work (a
    successful login is not counted against anyone)."""
    now = clock.now()
    raw.defer(
        session,
        _GIVE_BACK,
        [limit.key for limit in limits],
        [limit.window_end(now) for limit in limits],
    )


def refuse_if_over(limits: Sequence[Limit], counts: Sequence[int], message: str) -> None:
    """A 429 with Retry-After (until the latest window that is over its limit ends)."""
    now = clock.now()
    over = [limit for limit, count in zip(limits, counts, strict=True) if count > limit.limit]
    if not over:
        return
    wait = max((limit.window_end(now) - now).total_seconds() for limit in over)
    raise TooManyRequestsException(
        detail=message, headers={"Retry-After": str(max(1, math.ceil(wait)))}
    )


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def address_key(address: str) -> str:
    """The client address as a counter key: hashed, so the key has a fixed length whatever
    a proxy passed on, and the counters hold no addresses."""
    return sha256_hex(address)[:40]


# --- logins --------------------------------------------------------------------------------

LOGIN_REFUSED = (
    "Too many failed logins. Wait until the time in Retry-After has passed, then try again."
)


def login_limits(config: RateLimitSettings, email: str, address: str) -> list[Limit]:
    # The e-mail address is stored hashed: the counters say nothing about who logs in.
    account = sha256_hex(email.strip().lower())[:40]
    return [
        Limit(f"login:account:{account}", config.login_per_account, config.window_seconds),
        Limit(
            f"login:address:{address_key(address)}",
            config.login_per_address,
            config.window_seconds,
        ),
    ]


# --- the public routes that take an order's secret -----------------------------------------

# Handler opt of the routes that answer by an order's secret (the buyer's order, its
# tickets and QR codes, its payment): the middleware knows them from the route Litestar
# resolved, so no spelling of the path or of the query gets around the limit.
ORDER_SECRET = "order_secret"  # noqa: S105 (an opt name, not a secret)
# Handler opt of the other rate-limited routes (POST /auth/login), for the document.
RATE_LIMITED = "rate_limited"
PUBLIC_REFUSED = (
    "Too many refused requests for orders from your address. Wait until the time in "
    "Retry-After has passed, then open the link again."
)
# Answers that count as a refused secret: unknown order or wrong secret.
REFUSED_STATUSES = frozenset({403, 404})


def public_limit(config: RateLimitSettings, address: str) -> Limit:
    return Limit(
        f"public:refused:{address_key(address)}",
        config.public_failures_per_address,
        config.public_window_seconds,
    )


def takes_secret(scope: Scope) -> bool:
    """A route marked ORDER_SECRET, as routed (app middleware runs after routing)."""
    handler = scope.get("route_handler")
    return handler is not None and bool(handler.opt.get(ORDER_SECRET))


async def take_back(sessionmaker: SessionMaker, limits: Sequence[Limit], now: datetime) -> None:
    """Take back one count of each limit of the window of `now`, on its own."""
    async with sessionmaker() as session:
        driver = await raw.single(session)
        await driver.execute(
            _GIVE_BACK, [limit.key for limit in limits], [limit.window_end(now) for limit in limits]
        )
        await session.commit()


def public_secret_limit(app: ASGIApp) -> ASGIApp:
    """Limits the refused requests (unknown order, wrong secret) of the order-secret routes
    per client address, and answers 429 past the limit. Only refusals: buyers behind one
    router who open their own orders (the order page asks each second while a payment
    confirms) are never limited, and a secret cannot be guessed more than the limit.

    Each request is counted as a refusal before the handler runs, in one atomic statement,
    and takes its count back once its answer is not a refusal: requests sent at the same
    moment cannot all be checked before any is counted."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not takes_secret(scope):
            await app(scope, receive, send)
            return
        state = scope["app"].state
        settings: Settings = state.settings
        config = settings.ratelimit
        if not config.enabled:
            await app(scope, receive, send)
            return
        sessionmaker: SessionMaker = state.sessionmaker
        now = clock.now()
        refused = public_limit(config, client_address(scope))
        [failures] = await count(sessionmaker, [refused], now=now)
        refuse_if_over([refused], [failures], PUBLIC_REFUSED)
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await app(scope, receive, watch)
        if status and status[0] not in REFUSED_STATUSES:
            await take_back(sessionmaker, [refused], now)

    return middleware
