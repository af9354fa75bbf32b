"""Request dependencies shared by every controller: the unit of work and the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db.uow import unit_of_work
from ticketing.settings import Settings
from ticketing.tenancy.audit import note_session
from ticketing.tenancy.principal import Principal


async def provide_db(state: State, request: Request[Any, Any, Any]) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(state.sessionmaker) as session:
        await note_session(request.scope, session)  # the audit entry commits with the change
        yield session


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    user = request.scope.get("user")
    if not isinstance(user, Principal):
        # Only reachable on a route marked public that still asks for a principal.
        raise RuntimeError("route needs authentication but is excluded from it")
    return user


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


DEPENDENCIES = {
    "db": Provide(provide_db),
    "principal": Provide(provide_principal, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
}

# Explicit markers for handler parameters (Litestar 3 drops inferred ones).
Db = NamedDependency[AsyncSession]
Caller = NamedDependency[Principal]
Config = NamedDependency[Settings]
