"""The request guards (ticketing/core/guards.py), through the HTTP API: what they refuse,
with which answer, and what they must let through."""

from __future__ import annotations

import json

import httpx
from fixtures.support import PASSWORD, Tenant, assert_problem

from ticketing.tenancy.roles import Role


async def test_json_media_types_and_charsets(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN]
    body = json.dumps({"email": admin.user.email, "password": PASSWORD}).encode()
    for content_type in (
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=UTF-8",
        "application/merge-patch+json",
    ):
        response = await client.post(
            "/auth/login", content=body, headers={"content-type": content_type}
        )
        assert response.status_code == 200, (content_type, response.text)
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin-1",
    ):
        response = await client.post(
            "/auth/login", content=body, headers={"content-type": content_type}
        )
        problem = assert_problem(response, 415)
        assert "application/json" in problem["detail"]
    # No Content-Type at all: the same.
    assert_problem(await client.post("/auth/login", content=body), 415)


async def test_undecodable_bodies_are_a_400_that_says_why(client: httpx.AsyncClient) -> None:
    headers = {"content-type": "application/json"}
    cases = {
        b'{"email": "\xff"}': "invalid unicode",
        b"[" * 1000 + b"]" * 1000: "recursion limit",
        b'{"email": ': "EOF",
    }
    for content, words in cases.items():
        problem = assert_problem(
            await client.post("/auth/login", content=content, headers=headers), 400
        )
        assert problem["detail"].startswith("The body is not valid JSON"), problem
        assert words in problem["detail"], problem
        assert problem["errors"][0]["field"] == "body"


async def test_a_nul_is_named_wherever_it_is(client: httpx.AsyncClient, tenant: Tenant) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    body = {
        "house_id": str(tenant.house.id),
        "title": {"nl": "Titel", "en": "Ti\u0000tle"},
        "event_type_id": "0.55.0.0.0",
        "images": [{"url": "https://x.be/a.png", "alt": "\u0000"}],
    }
    problem = assert_problem(await client.post("/events", headers=h, json=body), 400)
    assert [e["field"] for e in problem["errors"]] == ["title.en", "images[0].alt"]

    query = assert_problem(await client.get("/events", headers=h, params={"q": "a\u0000"}), 400)
    assert query["errors"][0]["field"] == "query"
    path = assert_problem(await client.get(f"/public/houses/{tenant.house.slug}%00/programme"), 400)
    assert path["errors"][0]["field"] == "path"


async def test_an_escaped_backslash_before_u0000_is_plain_text(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # The JSON text "a\\u0000" is the seven characters a, \, u, 0, 0, 0, 0: no NUL.
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    title = '{"nl": "a\\\\u0000"}'
    content = (
        f'{{"house_id": "{tenant.house.id}", "title": {title}, "event_type_id": "0.55.0.0.0"}}'
    ).encode()
    response = await client.post(
        "/events", headers={**h, "content-type": "application/json"}, content=content
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"]["nl"] == "a\\u0000"


async def test_head_is_get_without_the_body(client: httpx.AsyncClient) -> None:
    get = await client.get("/public/event-types")
    head = await client.head("/public/event-types")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == get.headers["content-length"]
    # A HEAD where GET is not allowed answers as the GET would: 405, not a crash.
    assert (await client.head("/auth/login")).status_code == 405


async def test_options_lists_every_method_of_the_path(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    allow = (await client.options(f"/houses/{tenant.house.id}")).headers["allow"]
    assert {m.strip() for m in allow.split(",")} == {"GET", "HEAD", "OPTIONS", "PATCH"}
