"""deploy/: the systemd units start the processes with `podium` commands that exist, the
worker and the beat the way the tests and the demo start them."""

from __future__ import annotations

import shlex
from pathlib import Path

from ticketing.cli import beat_argv, build_parser, worker_argv

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def exec_start(unit: str) -> list[str]:
    line = next(
        line for line in (UNITS / unit).read_text().splitlines() if line.startswith("ExecStart=")
    )
    argv = shlex.split(line.removeprefix("ExecStart="))
    assert argv[0] == "/opt/podium/.venv/bin/podium", argv
    return argv[1:]


def test_units_run_podium_commands() -> None:
    units = sorted(p.name for p in UNITS.glob("*.service"))
    assert units == ["podium-api.service", "podium-beat.service", "podium-worker.service"]
    commands = {unit: build_parser().parse_args(exec_start(unit)) for unit in units}
    assert commands["podium-api.service"].command == "serve"
    worker = commands["podium-worker.service"]
    assert worker.command == "worker"
    # Production runs exactly one beat, as a service of its own.
    assert worker.beat is False
    assert worker_argv(
        beat=worker.beat,
        concurrency=worker.concurrency,
        schedule=worker.schedule,
        loglevel=worker.loglevel,
    )[:3] == ["-A", "workers.celery_app", "worker"]
    beat = commands["podium-beat.service"]
    assert beat.command == "beat"
    assert beat_argv(schedule=beat.schedule, loglevel=beat.loglevel) == [
        *("-A", "workers.celery_app", "beat", "--loglevel", "info"),
        *("--schedule", "/var/lib/podium/celerybeat-schedule"),
    ]
