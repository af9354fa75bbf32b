from __future__ import annotations

import httpx
from fixtures.support import PASSWORD, Tenant, assert_problem

from ticketing.tenancy.roles import Role


async def test_health_and_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"] == "abc-123"


async def test_login_refresh_logout(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    response = await client.post(
        "/auth/login", json={"email": admin.user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    me = await client.get("/auth/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == admin.user.email
    assert [(r["role"], r["house_id"]) for r in body["roles"]] == [
        ("house_admin", str(tenant.house.id))
    ]

    refreshed = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    # The refresh token rotates: the old one no longer works.
    again = await client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_problem(again, 401)

    new_headers = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await client.post("/auth/logout", headers=new_headers)).status_code == 204
    # Logout revokes the session at once: its access tokens (old and new) stop working.
    assert_problem(await client.get("/auth/me", headers=new_headers), 401)
    assert_problem(await client.get("/auth/me", headers=headers), 401)


async def test_wrong_password_is_a_clear_401(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    response = await client.post(
        "/auth/login", json={"email": admin.user.email, "password": "nope"}
    )
    body = assert_problem(response, 401)
    assert "password" in body["detail"]
    unknown = await client.post("/auth/login", json={"email": "x@y.test", "password": "nope"})
    assert assert_problem(unknown, 401)["detail"] == body["detail"]


async def test_missing_and_bad_tokens(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/venues"), 401)
    assert_problem(await client.get("/venues", headers={"Authorization": "Bearer garbage"}), 401)
    assert_problem(
        await client.get("/venues", headers={"Authorization": "Bearer pod_nothing"}), 401
    )


async def test_login_validation_names_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/login", json={"email": "not-an-email", "password": "x"})
    assert_problem(response, 400, "email")
