"""The seat-map editor is native ES modules (docs/web.md): its shell loads one module
script, and every module it imports, directly or not, is served from this origin as
JavaScript, so the browser runs them under the pages' Content Security Policy without a
build step. The browser tests (test_editor.py) run the page itself."""

from __future__ import annotations

import re

import httpx

from ticketing.web.controllers import STATIC_DIR

EDITOR = STATIC_DIR / "editor"
IMPORT = re.compile(r'^import (?:[^"]* from )?"\./([\w.-]+\.js)";$', re.MULTILINE)


async def test_the_editor_page_loads_its_modules_as_javascript(
    client: httpx.AsyncClient,
) -> None:
    shell = (await client.get("/admin/seatmaps")).text
    scripts = re.findall(r"<script\b[^>]*>", shell)
    # The shared classic scripts come first: the modules read the globals they define.
    assert scripts[-1] == '<script type="module" src="/static/editor/editor.js">'
    assert all("type=" not in script for script in scripts[:-1])

    reached: set[str] = set()
    waiting = ["editor.js"]
    while waiting:
        name = waiting.pop()
        if name in reached:
            continue
        reached.add(name)
        response = await client.get(f"/static/editor/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"].split(";")[0] == "text/javascript", name
        assert response.headers["x-content-type-options"] == "nosniff"
        waiting.extend(IMPORT.findall(response.text))

    # Every script of the folder is part of the page: no module is left behind unused.
    assert reached == {path.name for path in EDITOR.glob("*.js")}


def test_each_editor_module_stays_small() -> None:
    # One concern per module (issue 17): none grows back into a page-long function.
    sizes = {path.name: len(path.read_text().splitlines()) for path in EDITOR.glob("*.js")}
    assert len(sizes) > 10
    assert {name: n for name, n in sizes.items() if n >= 400} == {}
