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


def test_every_signal_has_a_subscriber_once_handlers_is_imported() -> None:
    """In a fresh process, as the API and the workers start: importing ticketing.handlers
    reaches a subscriber of every signal, so a subscriber module left out of handlers.py
    fails here, not in production."""
    modules = _declaring_modules()
    assert "ticketing.orders.signals" in modules
    script = (
        "import importlib, json, sys\n"
        "import ticketing.handlers\n"
        "for name in sys.argv[1:]:\n"
        "    importlib.import_module(name)\n"
        "from ticketing.core.signals import SIGNALS\n"
        "print(json.dumps({n: len(s.subscribers) for n, s in SIGNALS.items() if s.required}))\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    counts = json.loads(answer.stdout.strip().splitlines()[-1])
    assert counts, "no signal found"
    unheard = sorted(name for name, count in counts.items() if count == 0)
    assert unheard == [], f"signals nobody subscribes to (add the module to handlers.py): {unheard}"
