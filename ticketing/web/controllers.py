"""The pages people use: the shop, the box office, the seat-map editor, the door scanner
and the embeddable widget.

Each page is one HTML shell from `static/` with its own script; the script talks to the
same JSON API as integrators do, so a page can never do what the API refuses. Everything
a page loads is served from here (no CDN): the platform works on a closed network.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path

from litestar import MediaType, Response, get

STATIC_DIR = Path(__file__).parent / "static"

# The static router takes a file's type from `mimetypes`, which on Python 3.11 answers from
# the system's mime.types when there is one. Scripts are RFC 9239's text/javascript on every
# machine: the seat-map editor's ES modules load only with a JavaScript type (no sniffing).
mimetypes.add_type("text/javascript", ".js")

# The shell of each page; the page's script reads the rest of the path itself.
_SHELLS = {
    "shop": "shop/index.html",
    "box-office": "box-office/index.html",
    "editor": "editor/index.html",
    "admin": "admin/index.html",
    "scanner": "scanner/index.html",
    "widget-example": "widget/example.html",
}


@cache
def _read(relative: str) -> str:
    return (STATIC_DIR / relative).read_text(encoding="utf-8")


def _page(shell: str) -> Response[str]:
    return Response(
        _read(_SHELLS[shell]),
        media_type=MediaType.HTML,
        # The shells are small and change with a release; their scripts are cached.
        headers={"Cache-Control": "no-cache"},
    )


_PAGE = {"exclude_from_auth": True, "include_in_schema": False, "sync_to_thread": False}


@get(["/shop", "/shop/{rest:path}"], **_PAGE)  # type: ignore[arg-type]
def shop_page() -> Response[str]:
    """The audience's shop: programme, event, seat picker, basket, checkout, my tickets."""
    return _page("shop")


@get(["/box-office", "/box-office/{rest:path}"], **_PAGE)  # type: ignore[arg-type]
def box_office_page() -> Response[str]:
    """The counter: performances, seat map, sale, reservations, till."""
    return _page("box-office")


@get(["/admin/seatmaps", "/admin/seatmaps/{rest:path}"], **_PAGE)  # type: ignore[arg-type]
def editor_page() -> Response[str]:
    """The seat-map editor of house admins."""
    return _page("editor")


@get(["/admin", "/admin/{rest:path}"], **_PAGE)  # type: ignore[arg-type]
def admin_page() -> Response[str]:
    """House and cluster admins: venues, halls, events, performances, prices, tariffs,
    staff and door devices (the seat-map editor has a page of its own)."""
    return _page("admin")


@get("/scan", **_PAGE)  # type: ignore[arg-type]
def scanner_page() -> Response[str]:
    """The door scanner for phones and hand-held scanners (docs/tickets.md)."""
    return _page("scanner")


@get("/widget/example", **_PAGE)  # type: ignore[arg-type]
def widget_example_page() -> Response[str]:
    """A house's own web page with the programme widget in it (docs/widget.md)."""
    return _page("widget-example")


@get("/widget.js", **_PAGE)  # type: ignore[arg-type]
def widget_script() -> Response[str]:
    """The script a house pastes into its own website (docs/widget.md)."""
    return Response(
        _read("widget/widget.js"),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@get("/widget.css", **_PAGE)  # type: ignore[arg-type]
def widget_style() -> Response[str]:
    """The widget's stylesheet, which widget.js links into the house's page: a file rather
    than a <style> element, which a Content Security Policy (ours, or the site's) refuses.
    Open to every origin, as the script is, for tools that read a page's styles."""
    return Response(
        _read("widget/widget.css"),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


PAGES = [
    shop_page,
    box_office_page,
    editor_page,
    admin_page,
    scanner_page,
    widget_example_page,
    widget_script,
    widget_style,
]
