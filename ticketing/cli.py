"""`podium` command: demo, serve, migrate, seed-demo."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

from ticketing.settings import get_settings


def main(argv: list[str] | None = None) -> int:
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
    commands.add_parser("migrate", help="upgrade the database (TICKETING_DATABASE_URL) to head")
    commands.add_parser("seed-demo", help="load the demo data into TICKETING_DATABASE_URL")
    resync = commands.add_parser(
        "uitdatabank-sync", help="send one event, or all events of a house, to UiTdatabank again"
    )
    which = resync.add_mutually_exclusive_group(required=True)
    which.add_argument("--event", type=uuid.UUID, help="an event id")
    which.add_argument("--house", type=uuid.UUID, help="a house id: all its published events")
    args = parser.parse_args(argv)

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

    settings = get_settings()
    if not settings.database_url:
        print("Set TICKETING_DATABASE_URL first.", file=sys.stderr)
        return 2
    if args.command == "migrate":
        from ticketing.db.migrate import upgrade

        upgrade(settings.database_url)
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
