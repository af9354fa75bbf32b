"""The app shell: OpenAPI, doc pages without a CDN, problem+json for every error."""

from __future__ import annotations

import gc
import logging
import re

import httpx
from fixtures.support import assert_problem
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from ticketing.app import create_app
from ticketing.settings import Settings


async def test_openapi_31_and_doc_pages_load_nothing_from_outside(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/schema/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for page in ("/schema", "/schema/swagger"):
        response = await client.get(page)
        assert response.status_code == 200
        html = response.text
        assert re.findall(r"(?:src|href)=[\"'](?:https?:)?//", html) == [], html
        for asset in re.findall(r"(?:src|href)=[\"'](/static/[^\"']+)", html):
            assert (await client.get(asset)).status_code == 200, asset


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Not found"


async def test_a_bad_query_parameter_is_named_by_its_place_and_name(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/public/clusters/gent/programme", params={"limit": "many"})
    body = assert_problem(response, 400)
    assert [e["field"] for e in body["errors"]] == ["query.limit"]
    assert body["detail"] == "Please check these fields: query.limit."


async def test_the_pages_are_served_from_the_app_without_anything_from_outside(
    client: httpx.AsyncClient,
) -> None:
    for path in (
        "/shop/clusters/gent",
        "/shop/events/x/performances/y",
        "/box-office",
        "/admin/seatmaps",
        "/admin/events",
        "/widget/example",
        "/scan",
    ):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        sources = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"#]+)"', response.text)
        assert sources, path
        assert all(s.startswith(("/", "data:")) for s in sources), (path, sources)
    # The editor is its own page, not the admin pages' shell.
    assert "editor" in (await client.get("/admin/seatmaps")).text
    widget = await client.get("/widget.js", headers={"Origin": "https://www.zender.be"})
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["access-control-allow-origin"] == "*"


async def test_unexpected_error_hides_the_trace(settings: Settings) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logging.getLogger("ticketing.errors").addHandler(handler)

    @get("/boom", exclude_from_auth=True)
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app: Litestar = create_app(settings, sessionmaker=None)
    app.register(boom)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/boom", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    body = response.json()
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] == "req-42"
    assert "req-42" in body["detail"]
    logging.getLogger("ticketing.errors").removeHandler(handler)
    [record] = records
    assert "req-42" in record.getMessage()
    assert record.exc_info is not None
    assert "secret internals" in str(record.exc_info[1])


async def test_a_server_leaves_its_startup_objects_out_of_full_collections(
    settings: Settings,
) -> None:
    """What a server process builds at startup lives as long as the process; full garbage
    collections during an on-sale should not walk all of it (a pause of about 80 ms)."""
    gc.unfreeze()
    app = create_app(settings)  # no sessionmaker given: it builds its own, as a server does
    try:
        async with AsyncTestClient(app) as client:
            assert gc.get_freeze_count() > 0
            assert (await client.get("/health")).status_code == 200
    finally:
        gc.unfreeze()
