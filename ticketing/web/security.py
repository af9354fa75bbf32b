"""Security headers on every answer: a Content Security Policy that lets a page run only
its own scripts and styles from this origin, never inside someone else's frame; no
MIME sniffing; referrers kept to this site; HSTS when served over TLS.

A hook on every response (Litestar's `before_send`), so that 404s, static files and the
API docs get the headers too, whichever route answered. The policy of a page is chosen
by its path and content type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from ticketing.settings import Settings

# Stripe's Payment Element: its script, the frames it draws the card fields in, and the
# API those call (docs.stripe.com, "Content Security Policy").
STRIPE_SCRIPTS = "https://js.stripe.com https://*.js.stripe.com"
STRIPE_FRAMES = "https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com"
STRIPE_API = "https://api.stripe.com"
# Only the shop's order page pays, and only there Stripe's origins are let in.
PAYMENT_PAGE = "/shop/orders/"
# The API docs (Scalar, Swagger UI): their vendored bundles add <style> elements of their
# own, most without a nonce, so these pages alone allow inline styles. Their scripts are
# still ours only, and they show the OpenAPI document, nothing anyone typed.
DOCS = "/schema"

HSTS = "max-age=63072000; includeSubDomains"
# JSON, SVG and text are data, never a page: nothing may load or run if one is opened.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_DATA_TYPES = ("application/json", "application/problem+json", "image/svg+xml", "text/plain")


@cache  # four policies in all: built once each
def page_policy(*, stripe: bool = False, inline_styles: bool = False) -> str:
    """The Content Security Policy of an HTML page: everything from this origin only, no
    inline script or style (the API docs excepted for styles), no frames around it."""
    style = "'self'" + (" 'unsafe-inline'" if inline_styles else "")
    directives = {
        "default-src": "'self'",
        "script-src": "'self'" + (f" {STRIPE_SCRIPTS}" if stripe else ""),
        "style-src": style,
        # data: for the empty favicon and the icons in the docs' stylesheet; blob: for the
        # seat-map and ticket downloads a page makes itself.
        "img-src": "'self' data: blob:",
        "connect-src": "'self'" + (f" {STRIPE_API}" if stripe else ""),
        "frame-src": STRIPE_FRAMES if stripe else "'none'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        # The widget draws in the house's own page (no iframe), so no page of ours is ever
        # framed: refusing it stops clickjacking of the box office and the admin.
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def security_headers(settings: Settings) -> Callable[[Message, Scope], Awaitable[None]]:
    """The `before_send` hook. Stripe's origins are allowed on the payment page only when
    the shop pays through Stripe's Payment Element (not the test-mode payment page)."""
    stripe = not settings.stripe.test_payment_page

    async def add(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        path: str = scope.get("path", "")
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        pays = stripe and path.startswith(PAYMENT_PAGE)
        headers["X-Content-Type-Options"] = "nosniff"
        # A shop link carries an order's secret: other sites never see our addresses (the
        # payment page tells Stripe its origin, nothing more).
        headers["Referrer-Policy"] = "strict-origin" if pays else "same-origin"
        # Behind the proxy, `podium serve --proxy-headers` has uvicorn take the scheme from
        # X-Forwarded-Proto, and only from the trusted proxy: the scope's scheme is the one.
        if scope.get("scheme") == "https":
            headers["Strict-Transport-Security"] = HSTS
        if "content-security-policy" in headers:
            return
        if media == "text/html":
            docs = path == DOCS or path.startswith(f"{DOCS}/")
            headers["Content-Security-Policy"] = page_policy(stripe=pays, inline_styles=docs)
            headers["X-Frame-Options"] = "DENY"
            headers["Cross-Origin-Opener-Policy"] = (
                "same-origin-allow-popups" if pays else "same-origin"
            )
            headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(), " + (
                'payment=(self "https://js.stripe.com")' if pays else "payment=()"
            )
        elif media in _DATA_TYPES:
            headers["Content-Security-Policy"] = API_POLICY

    return add
