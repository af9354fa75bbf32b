"""The API docs pages (Scalar at /schema, Swagger UI at /schema/swagger) without inline
script, so that they work under the pages' Content Security Policy (ticketing/web/
security.py): Litestar's own templates start the viewers with an inline <script>.
Everything is loaded from /static (no CDN).
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    ScalarRenderPlugin,
    SwaggerRenderPlugin,
)

_HEAD = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
{extra}
</head>
"""


def _title(schema: dict[str, Any]) -> str:
    return escape(str(schema.get("info", {}).get("title", "API")))


class ScalarPage(ScalarRenderPlugin):
    """Scalar, configured through the data attributes it reads (no inline script)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        extra = f'<link rel="stylesheet" href="{escape(self.css_url)}">'
        configuration = escape(json.dumps(self.options or {}), quote=True)
        url = escape(self.get_openapi_json_route(request), quote=True)
        body = (
            "<body>\n"
            # An element with no content is no inline script; Scalar reads its attributes.
            f'<script id="api-reference" data-url="{url}" '
            f'data-configuration="{configuration}"></script>\n'
            f'<script src="{escape(self.js_url)}"></script>\n'
            "</body>\n</html>\n"
        )
        return (_HEAD.format(title=_title(openapi_schema), extra=extra) + body).encode()


class SwaggerPage(SwaggerRenderPlugin):
    """Swagger UI, started by a script of ours (static/docs/swagger-init.js) that reads the
    schema's address from the container."""

    init_url = "/static/docs/swagger-init.js"

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        extra = f'<link rel="stylesheet" href="{escape(self.css_url)}">'
        url = escape(self.get_openapi_json_route(request), quote=True)
        body = (
            "<body>\n"
            f'<div id="swagger-container" data-url="{url}"></div>\n'
            f'<script src="{escape(self.js_url)}"></script>\n'
            f'<script src="{escape(self.standalone_preset_js_url)}"></script>\n'
            f'<script src="{self.init_url}"></script>\n'
            "</body>\n</html>\n"
        )
        return (_HEAD.format(title=_title(openapi_schema), extra=extra) + body).encode()


def doc_pages() -> list[OpenAPIRenderPlugin]:
    """The API's reference pages under /schema, with their scripts from our own static
    files: no CDN on a closed network."""
    vendor = "/static/vendor"
    favicon = "<link rel='icon' href='data:,'>"
    return [
        ScalarPage(
            path="/scalar",
            js_url=f"{vendor}/scalar/standalone.js",
            css_url=f"{vendor}/scalar/empty.css",
            options={"withDefaultFonts": False, "hideClientButton": True},
            favicon=favicon,
        ),
        SwaggerPage(
            path="/swagger",
            js_url=f"{vendor}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{vendor}/swagger-ui/swagger-ui.css",
            standalone_preset_js_url=f"{vendor}/swagger-ui/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        JsonRenderPlugin(path="/openapi.json"),
    ]
