"""Authentication: logins with refresh tokens, short-lived access tokens, API tokens, and
the middleware that turns a bearer token into a Principal."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core import ratelimit
from ticketing.core.errors import DomainError
from ticketing.core.security import (
    API_TOKEN_PREFIX,
    decode_access_token,
    encode_access_token,
    new_secret,
    sha256_hex,
    verify_password,
)
from ticketing.db.engine import SessionMaker
from ticketing.db.uow import after_commit
from ticketing.settings import Settings
from ticketing.tenancy import repository as repo
from ticketing.tenancy.models import AuthSession
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.principal_cache import PRINCIPALS
from ticketing.tenancy.roles import Role


class LoginFailed(DomainError):
    status_code = 401
    type_slug = "login-failed"
    title = "Login failed"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _principal(
    user_id: uuid.UUID,
    email: str,
    is_platform_admin: bool,
    session_id: uuid.UUID,
    roles: list[repo.SessionRole],
) -> Principal:
    house_roles: dict[uuid.UUID, set[Role]] = defaultdict(set)
    cluster_roles: dict[uuid.UUID, set[Role]] = defaultdict(set)
    house_cluster: dict[uuid.UUID, uuid.UUID] = {}
    for found in roles:
        cluster_id, effective_house = found.cluster_id, found.house_id
        if found.role is None or cluster_id is None:
            continue  # a user without roles
        role = Role(found.role)
        if found.assigned_house_id is None:
            cluster_roles[cluster_id].add(role)
        if effective_house is not None:
            house_roles[effective_house].add(role)
            house_cluster[effective_house] = cluster_id
    return Principal(
        user_id=user_id,
        email=email,
        is_platform_admin=is_platform_admin,
        session_id=session_id,
        house_roles={h: frozenset(r) for h, r in house_roles.items()},
        cluster_roles={c: frozenset(r) for c, r in cluster_roles.items()},
        house_cluster=house_cluster,
    )


async def principal_for_bearer(
    session: AsyncSession, token: str, settings: Settings
) -> tuple[Principal, datetime] | None:
    """The caller behind a bearer token, and until when the token is valid."""
    now = clock.now()
    if token.startswith(API_TOKEN_PREFIX):
        api_token = await repo.api_token_by_hash(session, sha256_hex(token))
        if api_token is None or api_token.revoked_at is not None:
            return None
        if api_token.expires_at is not None and api_token.expires_at <= now:
            return None
        roles = frozenset(Role(r) for r in api_token.roles)
        principal = Principal(
            user_id=None,
            email=None,
            api_token_id=api_token.id,
            house_roles={api_token.house_id: roles},
            house_cluster={api_token.house_id: api_token.cluster_id},
        )
        return principal, api_token.expires_at or datetime.max.replace(tzinfo=UTC)
    claims = decode_access_token(token, secret=settings.auth.jwt_secret.get_secret_value())
    if claims is None:
        return None
    # One round trip: the session is live, the account active, and its roles.
    rows = await repo.session_principal(session, claims.session_id, claims.user_id, now)
    if not rows:
        return None
    first = rows[0]
    principal = _principal(
        first.user_id, first.email, first.is_platform_admin, claims.session_id, rows
    )
    return principal, claims.expires_at


async def authenticate(
    sessionmaker: SessionMaker, token: str, settings: Settings
) -> Principal | None:
    """The caller behind a bearer token: from the principal cache while it is fresh,
    otherwise from the database."""
    now = clock.now()
    seconds = settings.auth.principal_cache_seconds
    if seconds > 0:
        principal = PRINCIPALS.get(token, now)
        if principal is not None:
            return principal
    # A change that commits while we read must not be overwritten by what we read.
    generation = PRINCIPALS.generation
    async with sessionmaker() as session:
        found = await principal_for_bearer(session, token, settings)
    if found is None:
        return None
    principal, expires_at = found
    if seconds > 0:
        until = min(now + timedelta(seconds=seconds), expires_at)
        PRINCIPALS.put(token, principal, until, generation=generation)
    return principal


def forget_principals(session: AsyncSession) -> None:
    """Who may do what changes with this transaction: once it commits, every cached
    principal of this process is read again."""
    after_commit(session, PRINCIPALS.clear)


def _issue(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    return encode_access_token(
        secret=settings.auth.jwt_secret.get_secret_value(),
        user_id=user_id,
        session_id=session_id,
        now=clock.now(),
        minutes=settings.auth.access_token_minutes,
    )


async def login(
    session: AsyncSession,
    settings: Settings,
    email: str,
    password: str,
    user_agent: str | None,
    *,
    counters: SessionMaker | None = None,
    address: str = "unknown",
) -> TokenPair:
    """Tokens for a correct e-mail address and password. With counters (a sessionmaker of
    its own), failed attempts are limited per account and per client address
    (core/ratelimit.py): every attempt is counted before the password is checked, so
    processes racing each other cannot check more than the limit, and a correct login
    takes its count back with its commit, so only failures add up."""
    limits = []
    if counters is not None and settings.ratelimit.enabled:
        limits = ratelimit.login_limits(settings.ratelimit, email, address)
        counts = await ratelimit.count(counters, limits)
        ratelimit.refuse_if_over(limits, counts, ratelimit.LOGIN_REFUSED)
    user = await repo.user_by_email(session, email)
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise LoginFailed("The e-mail address or the password is not correct.")
    if not user.is_active:
        raise LoginFailed("This account has been switched off. Ask your house admin.")
    if limits:
        ratelimit.give_back(session, limits)
    refresh = new_secret()
    auth_session = AuthSession(
        user_id=user.id,
        refresh_hash=sha256_hex(refresh),
        expires_at=clock.now() + timedelta(days=settings.auth.refresh_token_days),
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(auth_session)
    await session.flush()
    return TokenPair(
        _issue(settings, user.id, auth_session.id), refresh, settings.auth.access_token_minutes * 60
    )


async def refresh(session: AsyncSession, settings: Settings, refresh_token: str) -> TokenPair:
    """Rotate the refresh token: the old one stops working, so a stolen copy is useless
    once the owner refreshes."""
    auth_session = await repo.session_by_refresh_hash(session, sha256_hex(refresh_token))
    now = clock.now()
    if (
        auth_session is None
        or auth_session.revoked_at is not None
        or auth_session.expires_at <= now
    ):
        raise LoginFailed("This session has ended. Please log in again.")
    new_refresh = new_secret()
    auth_session.refresh_hash = sha256_hex(new_refresh)
    session.add(auth_session)
    await session.flush()
    return TokenPair(
        _issue(settings, auth_session.user_id, auth_session.id),
        new_refresh,
        settings.auth.access_token_minutes * 60,
    )


async def logout(session: AsyncSession, principal: Principal) -> None:
    if principal.session_id is None:
        return
    found = await repo.live_session(session, principal.session_id, clock.now())
    if found is not None:
        found[0].revoked_at = clock.now()
        session.add(found[0])
        await session.flush()
        forget_principals(session)


def bearer_token(headers: Any) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if there is one."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Reads `Authorization: Bearer <token>`; routes with opt exclude_from_auth=True are public."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection.headers)
        if token is None:
            raise NotAuthorizedException("Log in first: this needs a bearer token.")
        state = connection.app.state
        principal = await authenticate(state.sessionmaker, token, state.settings)
        if principal is None:
            raise NotAuthorizedException("The token is not valid or has expired. Log in again.")
        return AuthenticationResult(user=principal, auth=token)
