"""Checks the page tests share: controls that stick out of their panel, the Content
Security Policy's reports, and dialogs a page should never open."""

from __future__ import annotations

from typing import Any

from playwright.async_api import BrowserContext, Dialog, Page

PHONE_375 = {"width": 375, "height": 812}
DESKTOP_1280 = {"width": 1280, "height": 900}

# Text that would be markup if a page ever wrote it as HTML.
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"

# The panels of the pages, and the controls that must stay inside them. The seat map's
# own viewport scrolls on purpose (zoom), so what is inside it is left out.
PANELS = ".card, aside, .filters, .topbar, main"
CONTROLS = "input, select, textarea, button, a.button"

_OVERFLOW = """
([panels, controls]) => {
  const found = [];
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && getComputedStyle(e).visibility !== "hidden";
  };
  const name = (e) => e.id ? `#${e.id}`
    : `${e.tagName.toLowerCase()}.${[...e.classList].join(".")}`;
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) {
    found.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
  }
  for (const panel of document.querySelectorAll(panels)) {
    if (!visible(panel) || panel.closest(".map-viewport")) continue;
    if (panel.scrollWidth > panel.clientWidth + 1) {
      found.push(`${name(panel)}: content ${panel.scrollWidth}px wide in ${panel.clientWidth}px`);
    }
    const box = panel.getBoundingClientRect();
    for (const control of panel.querySelectorAll(controls)) {
      if (!visible(control) || control.closest(".map-viewport, .sr-only")) continue;
      const r = control.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1) {
        found.push(`${name(control)} (${Math.round(r.left)}..${Math.round(r.right)}) sticks out of `
          + `${name(panel)} (${Math.round(box.left)}..${Math.round(box.right)})`);
      }
    }
  }
  return [...new Set(found)];
}
"""


async def overflowing(page: Page) -> list[str]:
    """Every control wider than its panel or outside it, and any panel or page that
    scrolls sideways: empty when the page fits its window."""
    found: list[str] = await page.evaluate(_OVERFLOW, [PANELS, CONTROLS])
    return found


_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


async def watch(context: BrowserContext) -> list[str]:
    """From now on, every page of `context` records the CSP violations it sees (read them
    with `csp_violations`), and every dialog (alert, confirm) is dismissed and recorded in
    the list returned."""
    dialogs: list[str] = []
    await context.add_init_script(_WATCH)

    async def dismiss(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        await dialog.dismiss()

    context.on("page", lambda page: page.on("dialog", dismiss))
    for page in context.pages:
        page.on("dialog", dismiss)
    return dialogs


async def csp_violations(page: Page) -> list[Any]:
    """What the page's Content Security Policy refused so far (see `watch`)."""
    found: list[Any] = await page.evaluate("window.__csp || []")
    return found
