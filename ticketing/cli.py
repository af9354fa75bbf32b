"""`podium` command: demo, serve, worker, beat, migrate, seed-demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from pathlib import Path

from ticketing.settings import get_settings

# The workers' Celery app, by name: `ticketing` never imports `workers`.
CELERY_APP = "workers.celery_app"


def worker_argv(
    *, beat: bool, concurrency: int | None, schedule: Path | None, loglevel: str
) -> list[str]:
    """The Celery worker as production, the demo and the tests run it."""
    argv = ["-A", CELERY_APP, "worker", "--loglevel", loglevel]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if beat:
        argv.append("--beat")
    if schedule is not None:
        argv += ["--schedule", str(schedule)]
    return argv


def beat_argv(*, schedule: Path | None, loglevel: str) -> list[str]:
    argv = ["-A", CELERY_APP, "beat", "--loglevel", loglevel]
    if schedule is not None:
        argv += ["--schedule", str(schedule)]
    return argv


def _exec_celery(argv: list[str]) -> int:
    """Make the SQL broker's tables (if that is the broker), then become Celery: signals
    from systemd or the demo launcher reach it directly."""
    from ticketing.core.broker import prepare_sql_broker

    settings = get_settings()
    if not settings.database_url:
        print("Set TICKETING_DATABASE_URL first.", file=sys.stderr)
        return 2
    prepare_sql_broker(settings)
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, "-m", "celery", *argv])  # noqa: S606 - our own


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="podium", description="Podium ticketing platform")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="start everything with demo data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--api-workers", type=int, default=2)
    demo.add_argument("--check", action="store_true", help="start, check every part answers, stop")
    serve = commands.add_parser(
        "serve", help="run the API in several processes (connections go to the least busy)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2, help="API processes")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", action="store_true")
    serve.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* from the proxy"
    )
    worker = commands.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--concurrency", type=int, default=None, help="task processes")
    worker.add_argument(
        "--beat", action="store_true", help="run the beat inside (one box, e.g. the demo)"
    )
    worker.add_argument("--schedule", type=Path, default=None, help="the beat's schedule file")
    worker.add_argument("--loglevel", default="info")
    beat = commands.add_parser("beat", help="run the Celery beat (exactly one per installation)")
    beat.add_argument("--schedule", type=Path, default=None, help="the beat's schedule file")
    beat.add_argument("--loglevel", default="info")
    commands.add_parser(
        "migrate",
        help="upgrade the database (TICKETING_DATABASE_URL) to head and make the SQL broker's "
        "tables when that is the broker",
    )
    commands.add_parser("seed-demo", help="load the demo data into TICKETING_DATABASE_URL")
    resync = commands.add_parser(
        "uitdatabank-sync", help="send one event, or all events of a house, to UiTdatabank again"
    )
    which = resync.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", type=uuid.UUID, help="an event id")
    which.add_argument("--house", type=uuid.UUID, help="a house id: all its published events")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    if args.command == "demo":
        from ticketing.demo.launcher import run_demo

        return run_demo(
            host=args.host, port=args.port, api_workers=args.api_workers, check_only=args.check
        )

    if args.command == "serve":
        from ticketing.serve import serve as run_serve

        return run_serve(
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=not args.no_access_log,
            proxy_headers=args.proxy_headers,
        )

    if args.command == "worker":
        return _exec_celery(
            worker_argv(
                beat=args.beat,
                concurrency=args.concurrency,
                schedule=args.schedule,
                loglevel=args.loglevel,
            )
        )
    if args.command == "beat":
        return _exec_celery(beat_argv(schedule=args.schedule, loglevel=args.loglevel))

    settings = get_settings()
    if not settings.database_url:
        print("Set TICKETING_DATABASE_URL first.", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from ticketing.core.broker import prepare_sql_broker
        from ticketing.db.migrate import upgrade

        upgrade(settings.database_url)
        prepare_sql_broker(settings)
        return 0
    if args.command == "uitdatabank-sync":
        from ticketing.uitdatabank.sync import queue_resync

        queued = asyncio.run(
            queue_resync(settings.database_url, event=args.event, house=args.house)
        )
        print(f"{queued} event(s) queued; the worker sends them.")
        return 0 if queued else 1
    from ticketing.demo.launcher import _seed

    print("created" if asyncio.run(_seed(settings.database_url)) else "already present")
    return 0


if __name__ == "__main__":
    sys.exit(main())
