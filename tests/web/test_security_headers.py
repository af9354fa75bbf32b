"""Every page, and the API's answers, carry the security headers (ticketing/web/security.py):
a Content Security Policy that runs only this origin's scripts and styles and lets no one
frame the page, no MIME sniffing, a strict referrer policy, and HSTS over TLS."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ticketing.app import create_app
from ticketing.db.engine import SessionMaker
from ticketing.settings import Settings
from ticketing.web.controllers import PAGES

DOCS = ["/schema", "/schema/scalar", "/schema/swagger"]


def page_paths() -> list[str]:
    """One address for every path of every page route (a `{rest:path}` filled in)."""
    paths: list[str] = []
    for handler in PAGES:
        for path in sorted(handler.paths):
            paths.append(re.sub(r"\{[^}]+\}", "some/where", path))
    return paths


def directives(policy: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_common(response: httpx.Response) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"same-origin", "strict-origin", "no-referrer"}
    assert "strict-transport-security" not in response.headers  # plain HTTP: no HSTS


def assert_page_policy(
    response: httpx.Response, *, stripe: bool = False, docs: bool = False
) -> dict[str, list[str]]:
    policy = directives(response.headers["content-security-policy"])
    stripe_origins = {"https://js.stripe.com", "https://*.js.stripe.com"}
    assert set(policy["script-src"]) == {"'self'"} | (stripe_origins if stripe else set())
    # No inline style; only the API docs' vendored viewers add <style> elements.
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"] if docs else ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["x-frame-options"] == "DENY"
    for name, values in policy.items():
        assert "'unsafe-inline'" not in values or (docs and name == "style-src")
        assert "'unsafe-eval'" not in values
        assert "*" not in values
    return policy


@pytest.mark.parametrize("path", page_paths() + DOCS)
async def test_every_page_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200, path
    assert_common(response)
    if path in {"/widget.js", "/widget.css"}:  # loaded by houses' own websites
        kind = "text/javascript" if path.endswith(".js") else "text/css"
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["access-control-allow-origin"] == "*"
        return
    assert response.headers["content-type"].startswith("text/html")
    policy = assert_page_policy(response, docs=path in DOCS)
    # Only the payment page may reach Stripe, and only when Stripe takes the payment.
    assert policy["frame-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]


async def test_the_api_docs_pages_have_no_inline_script(client: httpx.AsyncClient) -> None:
    for path in DOCS:
        html = (await client.get(path)).text
        for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S):
            assert script == "", f"{path}: inline script {script[:80]!r}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path  # no inline handler
        assert "style=" not in html


async def test_the_api_answers_forbid_everything_a_page_could_do(
    client: httpx.AsyncClient,
) -> None:
    for path, status in [("/public/event-types", 200), ("/no/such/thing", 404), ("/auth/me", 401)]:
        response = await client.get(path)
        assert response.status_code == status, path
        assert_common(response)
        policy = directives(response.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
    static = await client.get("/static/common/podium.js")
    assert_common(static)


async def test_hsts_only_over_tls(client: httpx.AsyncClient, app: Litestar) -> None:
    # The scheme the app sees: https from the client itself, or from the trusted proxy's
    # X-Forwarded-Proto once `podium serve --proxy-headers` has uvicorn rewrite it.
    over_tls = await client.get("https://podium.test/shop")
    assert over_tls.headers["strict-transport-security"].startswith("max-age=")
    assert "includeSubDomains" in over_tls.headers["strict-transport-security"]
    plain = await client.get("http://podium.test/shop", headers={"X-Forwarded-Proto": "https"})
    # Without the proxy setting nobody is trusted to say so.
    assert "strict-transport-security" not in plain.headers
    # Behind the proxy (`podium serve --proxy-headers`): uvicorn believes the trusted
    # proxy's X-Forwarded-Proto, and only that proxy's.
    for proxy, hsts in [("127.0.0.1", True), ("10.9.9.9", False)]:
        behind = ProxyHeadersMiddleware(app, trusted_hosts=[proxy])  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=behind, client=("127.0.0.1", 4711))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as c:
            answer = await c.get("/shop", headers={"X-Forwarded-Proto": "https"})
        assert ("strict-transport-security" in answer.headers) is hsts, proxy


@pytest.fixture
async def test_mode_client(
    settings: Settings, sessionmaker: SessionMaker
) -> AsyncIterator[httpx.AsyncClient]:
    """The app as tests and the demo run it: the shop's test-mode payment page, no Stripe."""
    stripe = settings.stripe.model_copy(update={"test_payment_page": True})
    app: Litestar = create_app(settings.model_copy(update={"stripe": stripe}), sessionmaker)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
        yield client


async def test_stripe_is_let_in_on_the_payment_page_only_when_it_takes_the_payment(
    client: httpx.AsyncClient, test_mode_client: httpx.AsyncClient
) -> None:
    # Configured for Stripe's Payment Element (the `client` app): the order page loads it.
    paying = await client.get("/shop/orders/some-order")
    policy = assert_page_policy(paying, stripe=True)
    assert "https://js.stripe.com" in policy["frame-src"]
    assert policy["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert paying.headers["referrer-policy"] == "strict-origin"  # never the order's secret
    # Any other shop page has nothing of Stripe.
    assert_page_policy(await client.get("/shop/basket"))
    # The test-mode payment page needs no Stripe at all.
    assert_page_policy(await test_mode_client.get("/shop/orders/some-order"))
