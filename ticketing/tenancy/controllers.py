"""HTTP endpoints for login, clusters, houses, staff and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from ticketing.core.openapi import problem
from ticketing.core.paging import Limit, Offset
from ticketing.core.ratelimit import RATE_LIMITED, client_address
from ticketing.core.times import QUERY_MOMENT, moment_query
from ticketing.tenancy import auth, service
from ticketing.tenancy import repository as repo
from ticketing.tenancy.deps import Caller, Config, Db
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    AuditEntryOut,
    ClusterIn,
    ClusterOut,
    ClusterPatch,
    HouseIn,
    HouseOut,
    HousePatch,
    LoginIn,
    MeOut,
    RefreshIn,
    RoleGrant,
    RoleOut,
    StaffIn,
    StaffOut,
    StaffPatch,
    TokenOut,
)
from ticketing.tenancy.scoping import authorize, get_house
from ticketing.tenancy.views import audit_out, staff_out


def _tokens(pair: auth.TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


_LOGIN_FAILED = problem(
    401,
    "Wrong e-mail or password, or the session has ended (type login-failed).",
    "login-failed",
)


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/login",
        exclude_from_auth=True,
        opt={RATE_LIMITED: True},
        status_code=HTTP_200_OK,
        summary="Log in",
        responses={401: _LOGIN_FAILED},
    )
    async def login(
        self, request: Request[Any, Any, Any], db: Db, settings: Config, data: JSONBody[LoginIn]
    ) -> TokenOut:
        agent = request.headers.get("user-agent")
        pair = await auth.login(
            db,
            settings,
            data.email,
            data.password,
            agent,
            counters=request.app.state.sessionmaker,
            address=client_address(request.scope),
        )
        return _tokens(pair)

    @post(
        "/refresh",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
        summary="New access token",
        responses={401: _LOGIN_FAILED},
    )
    async def refresh(self, db: Db, settings: Config, data: JSONBody[RefreshIn]) -> TokenOut:
        return _tokens(await auth.refresh(db, settings, data.refresh_token))

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="Log out (revokes the session)")
    async def logout(self, db: Db, principal: Caller) -> None:
        await auth.logout(db, principal)

    @get("/me", summary="Who am I, with my roles")
    async def me(self, db: Db, principal: Caller) -> MeOut:
        if principal.user_id is None:
            return MeOut(
                id=None,
                email=None,
                name=None,
                is_platform_admin=False,
                api_token_id=principal.api_token_id,
                roles=[],
            )
        user = await repo.user_by_id(db, principal.user_id)
        roles = await repo.roles_of(db, [principal.user_id])
        return MeOut(
            id=principal.user_id,
            email=principal.email,
            name=user.name if user else None,
            is_platform_admin=principal.is_platform_admin,
            roles=[RoleOut.model_validate(r) for r in roles],
        )


class ClusterController(Controller):
    path = "/clusters"
    tags = ["tenancy"]

    @get("/", summary="Clusters I belong to")
    async def list_clusters(self, db: Db, principal: Caller) -> list[ClusterOut]:
        return [ClusterOut.model_validate(c) for c in await repo.list_clusters(db, principal)]

    @post("/", summary="Create a cluster (platform admin)")
    async def create_cluster(
        self, db: Db, principal: Caller, data: JSONBody[ClusterIn]
    ) -> ClusterOut:
        return ClusterOut.model_validate(await service.create_cluster(db, principal, data))

    @get("/{cluster_id:uuid}")
    async def get_cluster(
        self, db: Db, principal: Caller, cluster_id: FromPath[uuid.UUID]
    ) -> ClusterOut:
        return ClusterOut.model_validate(await service.get_cluster(db, principal, cluster_id))

    @patch("/{cluster_id:uuid}")
    async def update_cluster(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        data: JSONBody[ClusterPatch],
    ) -> ClusterOut:
        cluster = await service.update_cluster(db, principal, cluster_id, data)
        return ClusterOut.model_validate(cluster)


class HouseController(Controller):
    path = "/houses"
    tags = ["tenancy"]

    @get("/", summary="Houses I work for")
    async def list_houses(
        self, db: Db, principal: Caller, cluster_id: FromQuery[uuid.UUID | None] = None
    ) -> list[HouseOut]:
        houses = await repo.list_houses(db, principal, cluster_id)
        return [HouseOut.model_validate(h) for h in houses]

    @post("/", summary="Add a house to a cluster (cluster admin)")
    async def create_house(self, db: Db, principal: Caller, data: JSONBody[HouseIn]) -> HouseOut:
        return HouseOut.model_validate(await service.create_house(db, principal, data))

    @get("/{house_id:uuid}")
    async def get_house(self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]) -> HouseOut:
        return HouseOut.model_validate(await get_house(db, house_id, principal))

    @patch("/{house_id:uuid}")
    async def update_house(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID], data: JSONBody[HousePatch]
    ) -> HouseOut:
        return HouseOut.model_validate(await service.update_house(db, principal, house_id, data))


# Checked as core.times.Moment in the handler (msgspec reads the query, not pydantic).
Since = Parameter(default=None, description=f"Entries from this moment (inclusive). {QUERY_MOMENT}")
Until = Parameter(default=None, description=f"Entries before this moment. {QUERY_MOMENT}")


async def _read_audit(
    db: Db,
    principal: Caller,
    house_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> list[AuditEntryOut]:
    rows = await repo.audit_entries(
        db,
        principal,
        house_id=house_id,
        user_id=user_id,
        since=moment_query("since", since),
        until=moment_query("until", until),
        limit=limit,
        offset=offset,
    )
    return audit_out(rows)


class AuditController(Controller):
    tags = ["audit"]

    @get("/houses/{house_id:uuid}/audit", summary="The house's audit log of staff writes")
    async def house_audit(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        user_id: FromQuery[uuid.UUID | None] = None,
        since: datetime | None = Since,
        until: datetime | None = Until,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[AuditEntryOut]:
        await get_house(db, house_id, principal)
        authorize(principal, house_id, MANAGE)
        return await _read_audit(db, principal, house_id, user_id, since, until, limit, offset)

    @get(
        "/audit",
        summary="Audit log of the houses I manage (platform admin: all, houseless entries too)",
    )
    async def audit(
        self,
        db: Db,
        principal: Caller,
        house_id: FromQuery[uuid.UUID | None] = None,
        user_id: FromQuery[uuid.UUID | None] = None,
        since: datetime | None = Since,
        until: datetime | None = Until,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[AuditEntryOut]:
        return await _read_audit(db, principal, house_id, user_id, since, until, limit, offset)


class StaffController(Controller):
    path = "/staff"
    tags = ["tenancy"]

    @get("/", summary="Staff of the houses I manage")
    async def list_staff(
        self, db: Db, principal: Caller, house_id: FromQuery[uuid.UUID | None] = None
    ) -> list[StaffOut]:
        users = await repo.list_staff(db, principal, house_id)
        return await staff_out(db, principal, users)

    @post("/", summary="Add a staff member (or give an existing one roles here)")
    async def create_staff(self, db: Db, principal: Caller, data: JSONBody[StaffIn]) -> StaffOut:
        user = await service.create_staff(db, principal, data)
        return (await staff_out(db, principal, [user]))[0]

    @get("/{user_id:uuid}")
    async def get_staff(self, db: Db, principal: Caller, user_id: FromPath[uuid.UUID]) -> StaffOut:
        user = await service.get_staff(db, principal, user_id)
        return (await staff_out(db, principal, [user]))[0]

    @patch("/{user_id:uuid}")
    async def update_staff(
        self, db: Db, principal: Caller, user_id: FromPath[uuid.UUID], data: JSONBody[StaffPatch]
    ) -> StaffOut:
        user = await service.update_staff(db, principal, user_id, data)
        return (await staff_out(db, principal, [user]))[0]

    @post("/{user_id:uuid}/roles", summary="Give a role")
    async def grant_role(
        self, db: Db, principal: Caller, user_id: FromPath[uuid.UUID], data: JSONBody[RoleGrant]
    ) -> StaffOut:
        user = await service.grant_role(db, principal, user_id, data)
        return (await staff_out(db, principal, [user]))[0]

    @delete("/{user_id:uuid}/roles/{assignment_id:uuid}", summary="Take a role away")
    async def revoke_role(
        self,
        db: Db,
        principal: Caller,
        user_id: FromPath[uuid.UUID],
        assignment_id: FromPath[uuid.UUID],
    ) -> None:
        await service.revoke_role(db, principal, user_id, assignment_id)


class ApiTokenController(Controller):
    path = "/api-tokens"
    tags = ["tenancy"]

    @get("/", summary="API tokens of the houses I manage")
    async def list_tokens(
        self, db: Db, principal: Caller, house_id: FromQuery[uuid.UUID | None] = None
    ) -> list[ApiTokenOut]:
        tokens = await repo.list_api_tokens(db, principal, house_id)
        return [ApiTokenOut.model_validate(t) for t in tokens]

    @post("/", summary="Create a token for an integration or a scanner device")
    async def create_token(
        self, db: Db, principal: Caller, data: JSONBody[ApiTokenIn]
    ) -> ApiTokenCreated:
        token, raw = await service.create_api_token(db, principal, data)
        out = ApiTokenOut.model_validate(token).model_dump()
        return ApiTokenCreated(**out, token=raw)

    @delete("/{token_id:uuid}", summary="Revoke a token")
    async def revoke_token(self, db: Db, principal: Caller, token_id: FromPath[uuid.UUID]) -> None:
        await service.revoke_api_token(db, principal, token_id)


CONTROLLERS = [
    AuthController,
    ClusterController,
    HouseController,
    StaffController,
    ApiTokenController,
    AuditController,
]
