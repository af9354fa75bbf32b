from __future__ import annotations

import httpx
from fixtures.support import PASSWORD, Tenant, assert_problem, make_tenant, make_user
from fixtures.world import ok
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.tenancy.roles import Role


async def test_house_admin_adds_staff_and_roles(client: httpx.AsyncClient, tenant: Tenant) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    created = await ok(
        await client.post(
            "/staff",
            headers=h,
            json={
                "email": "Nieuwe.Kassier@Example.test",
                "name": "Nieuwe kassier",
                "password": "a long enough password",
                "roles": [{"role": "box_office", "house_id": str(tenant.house.id)}],
            },
        )
    )
    assert created["email"] == "nieuwe.kassier@example.test"
    assert [r["role"] for r in created["roles"]] == ["box_office"]
    login = await client.post(
        "/auth/login",
        json={"email": "nieuwe.kassier@example.test", "password": "a long enough password"},
    )
    assert login.status_code == 200

    both = await ok(
        await client.post(
            f"/staff/{created['id']}/roles",
            headers=h,
            json={"role": "scanner", "house_id": str(tenant.house.id)},
        )
    )
    assert sorted(r["role"] for r in both["roles"]) == ["box_office", "scanner"]
    assert_problem(
        await client.post(
            f"/staff/{created['id']}/roles",
            headers=h,
            json={"role": "scanner", "house_id": str(tenant.house.id)},
        ),
        409,
    )
    scanner_role = next(r for r in both["roles"] if r["role"] == "scanner")
    assert (
        await client.delete(f"/staff/{created['id']}/roles/{scanner_role['id']}", headers=h)
    ).status_code == 204

    # A house admin cannot hand out cluster-wide roles.
    assert_problem(
        await client.post(
            f"/staff/{created['id']}/roles",
            headers=h,
            json={"role": "cluster_admin", "cluster_id": str(tenant.cluster.id)},
        ),
        403,
    )
    # Nor reset the password of someone else.
    assert_problem(
        await client.patch(
            f"/staff/{created['id']}", headers=h, json={"password": "another long password"}
        ),
        403,
    )
    # Switching the account off ends its logins.
    await ok(
        await client.patch(f"/staff/{created['id']}", headers=h, json={"is_active": False}), 200
    )
    assert_problem(
        await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        ),
        401,
    )


async def test_one_person_two_houses_sees_only_what_each_admin_may(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    other = await make_tenant(db)
    freelancer = await make_user(
        db,
        roles=[
            (Role.BOX_OFFICE, tenant.cluster, tenant.house),
            (Role.SCANNER, other.cluster, other.house),
        ],
    )
    await db.commit()
    seen = await ok(
        await client.get(
            f"/staff/{freelancer.user.id}", headers=tenant.staff[Role.HOUSE_ADMIN].headers
        ),
        200,
    )
    # The other house's role of this person stays out of sight.
    assert [(r["role"], r["house_id"]) for r in seen["roles"]] == [
        ("box_office", str(tenant.house.id))
    ]
    me = await ok(await client.get("/auth/me", headers=freelancer.headers), 200)
    assert len(me["roles"]) == 2
    houses = await ok(await client.get("/houses", headers=freelancer.headers), 200)
    assert {h["id"] for h in houses} == {str(tenant.house.id), str(other.house.id)}


async def test_cluster_admin_sees_every_house_of_the_cluster(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    admin = tenant.staff[Role.CLUSTER_ADMIN].headers
    houses = await ok(await client.get("/houses", headers=admin), 200)
    assert {h["id"] for h in houses} == {str(tenant.house.id), str(neighbour.house.id)}
    created = await ok(
        await client.post(
            "/houses",
            headers=admin,
            json={
                "cluster_id": str(tenant.cluster.id),
                "slug": "nieuw-huis",
                "name": "Nieuw huis",
                "order_code_prefix": "NWH",
            },
        )
    )
    assert created["cluster_id"] == str(tenant.cluster.id)
    dup = await client.post(
        "/houses",
        headers=admin,
        json={
            "cluster_id": str(tenant.cluster.id),
            "slug": "nieuw-huis",
            "name": "Nog eens",
            "order_code_prefix": "NWI",
        },
    )
    assert_problem(dup, 409, "slug")
    # A house admin may not add houses.
    assert_problem(
        await client.post(
            "/houses",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={
                "cluster_id": str(tenant.cluster.id),
                "slug": "nog-een",
                "name": "X",
                "order_code_prefix": "NOG",
            },
        ),
        403,
    )


async def test_api_tokens_scoped_and_revocable(client: httpx.AsyncClient, tenant: Tenant) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    body = {
        "house_id": str(tenant.house.id),
        "name": "Deur 1",
        "kind": "scanner",
        "roles": ["scanner"],
    }
    created = await ok(await client.post("/api-tokens", headers=h, json=body))
    token = {"Authorization": f"Bearer {created['token']}"}
    assert created["token"].startswith(created["token_prefix"])
    me = await ok(await client.get("/auth/me", headers=token), 200)
    assert me["api_token_id"] == created["id"]
    assert (await client.get("/venues", headers=token)).status_code == 200
    # A scanner token cannot change the house.
    assert_problem(
        await client.post(
            "/venues",
            headers=token,
            json={
                "house_id": str(tenant.house.id),
                "name": "X",
                "street": "Y 1",
                "postal_code": "9000",
                "city": "Gent",
            },
        ),
        403,
    )
    listed = await ok(await client.get("/api-tokens", headers=h), 200)
    assert "token" not in listed[0]
    assert listed[0]["id"] == created["id"]
    assert (await client.delete(f"/api-tokens/{created['id']}", headers=h)).status_code == 204
    assert_problem(await client.get("/venues", headers=token), 401)
    # Admin roles never go on a token.
    bad = await client.post("/api-tokens", headers=h, json={**body, "roles": ["house_admin"]})
    assert_problem(bad, 422, "roles[0]")
    # An expiry needs its time zone and a year from 2000 to 2100 (a naive one was a 500).
    for expires_at in ("2030-01-01T00:00:00", "9999-12-31T23:59:59-10:00"):
        naive = await client.post("/api-tokens", headers=h, json={**body, "expires_at": expires_at})
        assert_problem(naive, 400, "expires_at")
    expiring = await ok(
        await client.post(
            "/api-tokens", headers=h, json={**body, "expires_at": "2030-01-01T00:00Z"}
        )
    )
    assert expiring["expires_at"].startswith("2030-01-01T00:00:00")
    assert len(await ok(await client.get("/api-tokens", headers=h), 200)) == 2


async def test_platform_admin_creates_clusters(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant
) -> None:
    root = await make_user(db, platform_admin=True)
    await db.commit()
    created = await ok(
        await client.post(
            "/clusters", headers=root.headers, json={"slug": "leuven", "name": "Leuven"}
        )
    )
    assert created["slug"] == "leuven"
    assert_problem(
        await client.post(
            "/clusters",
            headers=tenant.staff[Role.CLUSTER_ADMIN].headers,
            json={"slug": "x-y", "name": "X"},
        ),
        403,
    )
    login = await client.post("/auth/login", json={"email": root.user.email, "password": PASSWORD})
    assert login.status_code == 200
