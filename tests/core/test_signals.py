"""The signal seam (ticketing/core/signals.py): how a lower package lets the packages above
it react to its changes without importing them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ticketing.core import signals
from ticketing.core.signals import Signal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _forget_test_signals() -> Iterator[None]:
    """The signals declared here leave the registry as they came."""
    before = dict(signals.SIGNALS)
    yield
    signals.SIGNALS.clear()
    signals.SIGNALS.update(before)


SESSION: Any = object()  # the subscribers here do not touch it


async def test_a_required_signal_nobody_subscribed_to_refuses_to_send() -> None:
    forgotten: Signal[int] = Signal("test.forgotten")
    with pytest.raises(RuntimeError, match=r"test\.forgotten.*handlers\.py"):
        await forgotten.send(SESSION, 1)


async def test_an_optional_signal_may_go_unheard() -> None:
    optional: Signal[int] = Signal("test.optional", required=False)
    await optional.send(SESSION, 1)


def test_a_name_is_declared_once() -> None:
    Signal("test.once")
    with pytest.raises(ValueError, match="declared twice"):
        Signal("test.once")


async def test_subscribers_run_in_the_order_they_connected_once_each() -> None:
    changed: Signal[str] = Signal("test.changed")
    heard: list[str] = []

    async def first(session: Any, payload: str) -> None:
        heard.append(f"first {payload}")

    async def second(session: Any, payload: str) -> None:
        heard.append(f"second {payload}")

    changed.connect(first)
    changed.connect(second)
    changed.connect(first)  # a module imported again connects nothing new
    await changed.send(SESSION, "a")
    assert heard == ["first a", "second a"]


async def test_a_subscriber_that_fails_fails_the_change() -> None:
    changed: Signal[str] = Signal("test.refused")
    heard: list[str] = []

    @changed.connect
    async def refuse(session: Any, payload: str) -> None:
        raise ValueError(f"no {payload}")

    @changed.connect
    async def later(session: Any, payload: str) -> None:
        heard.append(payload)

    # The sender's service raises with it, so the request's unit of work rolls back.
    with pytest.raises(ValueError, match="no b"):
        await changed.send(SESSION, "b")
    assert heard == []


def _declaring_modules() -> list[str]:
    """The modules of ticketing that declare a signal (call Signal(...))."""
    found = []
    for path in sorted((ROOT / "ticketing").rglob("*.py")):
        if path.name == "signals.py" and path.parent.name == "core":
            continue
        tree = ast.parse(path.read_text())
        if any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "Signal"
            for node in ast.walk(tree)
        ):
            found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def _documented_subscribers() -> dict[str, list[str]]:
    """The signals table of docs/architecture.md: each signal and the modules that
    subscribe to it (`inventory: ...; uitdatabank: ...` names ticketing.inventory.subscribers
    and ticketing.uitdatabank.subscribers)."""
    table: dict[str, list[str]] = {}
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`") or "." not in cells[0]:
            continue
        packages = {part.split(":")[0].strip() for part in cells[3].split(";")}
        table[cells[0].strip("`")] = sorted(f"ticketing.{p}.subscribers" for p in packages)
    return table


def test_the_documented_table_is_read() -> None:
    documented = _documented_subscribers()
    assert documented["events.event_changed"] == [
        "ticketing.inventory.subscribers",
        "ticketing.uitdatabank.subscribers",
    ]
    assert documented["orders.tickets_valid"] == ["ticketing.tickets.subscribers"]


def test_every_signal_reaches_its_documented_subscribers_once_handlers_is_imported() -> None:
    """In a fresh process, as the API and the workers start: importing ticketing.handlers
    connects, to every signal, the subscriber modules the table of docs/architecture.md
    names, so a subscriber module left out of handlers.py fails here (even when another
    module still subscribes to the same signal), not in production."""
    modules = _declaring_modules()
    assert "ticketing.orders.signals" in modules
    script = (
        "import importlib, json, sys\n"
        "import ticketing.handlers\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "from ticketing.core.signals import SIGNALS\n"
        "print(json.dumps({n: [s.required, sorted({f.__module__ for f in s.subscribers})]\n"
        "                  for n, s in SIGNALS.items()}))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(answer.stdout.strip().splitlines()[-1])
    assert found, "no signal found"
    subscribed = {name: heard for name, (_, heard) in found.items()}
    assert subscribed == _documented_subscribers(), (
        "the subscriber modules per signal differ from the table in docs/architecture.md "
        "(a subscribers module missing from handlers.py, or the table out of date)"
    )
    unheard = sorted(name for name, (required, heard) in found.items() if required and not heard)
    assert unheard == [], f"signals nobody subscribes to (add the module to handlers.py): {unheard}"
