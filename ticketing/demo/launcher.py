"""`make demo`: the whole platform in one command, on a fresh machine.

Starts (or reuses) a PostgreSQL, migrates, loads the demo data, then runs the API
(several API processes, `podium serve`) and a real Celery worker with its beat, and prints where
everything is. Ctrl-C stops it all.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ticketing.core import runtime
from ticketing.core.broker import prepare_sql_broker
from ticketing.db.engine import create_engine, create_sessionmaker
from ticketing.db.migrate import upgrade
from ticketing.db.private import start_private_postgres
from ticketing.demo.seed import DEMO_PASSWORD, demo_logins, demo_scanners, seed_demo
from ticketing.payments.localstripe import send_webhooks, start_localstripe
from ticketing.settings import Settings

DEMO_WEBHOOK_SECRET = "whsec_podium_demo"  # noqa: S105 - a local test server's, printed nowhere


def _secret(data_dir: Path, name: str) -> str:
    """A random secret kept in the data directory, the same for every start."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


async def _seed(url: str) -> bool:
    engine = create_engine(url, pool_size=2)
    try:
        summary = await seed_demo(create_sessionmaker(engine))
    finally:
        await engine.dispose()
    return summary.created


def _seed_with(settings: Settings, env: dict[str, str]) -> bool:
    """Seed under the settings the API's processes get (the demo's sales sign their
    orders' links with the tickets secret)."""
    tickets = settings.tickets.model_copy(
        update={"secret_key": SecretStr(env["TICKETING_TICKETS__SECRET_KEY"])}
    )
    seeding = settings.model_copy(
        update={
            "database_url": env["TICKETING_DATABASE_URL"],
            "public_url": env["TICKETING_PUBLIC_URL"],
            "tickets": tickets,
        }
    )
    previous = runtime.set_default(runtime.Runtime(seeding))
    try:
        return asyncio.run(_seed(env["TICKETING_DATABASE_URL"]))
    finally:
        runtime.set_default(previous)


def _wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the API did not answer at {url}")
        time.sleep(0.3)


def _ask_worker(env: dict[str, str], timeout: float) -> dict[str, Any]:
    """The worker's answer to a ping, and what it says it can carry out."""
    code = (
        "import json, sys\n"
        "from workers.celery_app import app\n"
        f"ping = app.send_task('podium.ping').get(timeout={timeout})\n"
        f"known = app.send_task('podium.registered').get(timeout={timeout})\n"
        "print(json.dumps({'ping': ping, 'registered': known}))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, argv built here
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout + 30,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(  # noqa: S310 - our own server
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own server
        return response.status, response.read()


def check_running(base: str) -> list[str]:
    """What a newcomer will try first: docs, the programme, a demo login."""
    results = []
    for path in (
        "/schema",
        "/schema/swagger",
        "/schema/openapi.json",
        "/static/vendor/scalar/standalone.js",
    ):
        status, _ = _get(base + path)
        results.append(f"{path} {status}")
    for page in ("/shop/clusters/gent", "/box-office", "/admin/seatmaps", "/widget.js"):
        status, _ = _get(base + page)
        results.append(f"{page} {status}")
    status, body = _get(base + "/public/clusters/gent/programme")
    results.append(f"gent programme: {len(json.loads(body))} performances")
    login = json.dumps({"email": demo_logins()[2].email, "password": DEMO_PASSWORD}).encode()
    status, body = _get(base + "/auth/login", data=login)
    results.append(f"demo login {status}")
    return results


def _print_banner(
    base: str, settings: Settings, worker: dict[str, Any], *, test_stripe: bool
) -> None:
    print("\n" + "=" * 72)
    print(" Podium is running — DEMO DATA (fictional houses of Gent, Zuidwest, Zender)")
    print("=" * 72)
    print(f" API            {base}/")
    print(f" API docs       {base}/schema  (Scalar)   {base}/schema/swagger  (Swagger)")
    print(f" OpenAPI 3.1    {base}/schema/openapi.json")
    print(f" Shop           {base}/shop/clusters/gent   (also zuidwest, zender)")
    print(f" Box office     {base}/box-office")
    print(f" Seat-map editor {base}/admin/seatmaps")
    print(f" Widget example {base}/widget/example")
    print(f" Gent programme {base}/public/clusters/gent/programme")
    print(f" Celery worker  {worker}")
    if test_stripe:
        print(" Payments       test mode: localstripe on loopback; test card 4242 4242 4242 4242")
    else:
        print(" Payments       Stripe, with the keys in TICKETING_STRIPE__*")
    database = (
        f"private PostgreSQL in {settings.data_dir / 'pg'}"
        if not settings.database_url
        else "TICKETING_DATABASE_URL"
    )
    print(f" Database       {database}")
    print(f"\n Demo logins (password for all: {DEMO_PASSWORD}):")
    for login in demo_logins():
        print(f"   {login.email:<40} {login.role:<15} {login.scope}")
    print("\n Door scanner (a demo device per house; open on a phone or with a hand-held scanner):")
    for house, token in demo_scanners():
        print(f"   {house:<30} {base}/scan#token={token}")
    print("\n Try it:")
    print(f"   curl -s {base}/auth/login -H 'content-type: application/json' \\")
    email = "gent-reinaert.boxoffice@podium.demo"
    print(f"""     -d '{{"email": "{email}", "password": "{DEMO_PASSWORD}"}}'""")
    print("\n Ctrl-C stops everything.\n", flush=True)


def _start_test_stripe(env: dict[str, str]) -> subprocess.Popen[bytes] | None:
    """Without Stripe keys, the demo takes payments in test mode: localstripe (the Stripe
    test server) on loopback, and the shop's test-mode payment page."""
    if env.get("TICKETING_STRIPE__SECRET_KEY"):
        return None
    server, api_base = start_localstripe()
    env.update(
        TICKETING_STRIPE__SECRET_KEY="sk_test_podium_demo",  # noqa: S106 - a local test server
        TICKETING_STRIPE__PUBLISHABLE_KEY="pk_test_podium_demo",
        TICKETING_STRIPE__WEBHOOK_SECRET=DEMO_WEBHOOK_SECRET,
        TICKETING_STRIPE__API_BASE=api_base,
        TICKETING_STRIPE__LOCALSTRIPE="true",
        TICKETING_STRIPE__TEST_PAYMENT_PAGE="true",
    )
    return server


def run_demo(*, host: str, port: int, api_workers: int, check_only: bool) -> int:
    settings = Settings()
    server = None
    url = settings.database_url
    if not url:
        print("Starting a private PostgreSQL (pgserver) in", settings.data_dir / "pg", flush=True)
        server, url = start_private_postgres(settings.data_dir)
    env = dict(os.environ)
    env["TICKETING_DATABASE_URL"] = url
    env.setdefault("TICKETING_AUTH__JWT_SECRET", _secret(settings.data_dir, "jwt_secret"))
    env.setdefault("TICKETING_TICKETS__SECRET_KEY", _secret(settings.data_dir, "tickets_secret"))
    env["TICKETING_PUBLIC_URL"] = f"http://{host}:{port}"

    print("Migrating the database…", flush=True)
    upgrade(url)
    # The SQL broker's tables, before any process that publishes or consumes starts: the
    # worker, its beat and the API processes each made them on first use, and racing
    # there killed the worker of a first start about one time in two.
    prepare_sql_broker(settings.model_copy(update={"database_url": url}))
    created = _seed_with(settings, env)
    print("Demo data loaded." if created else "Demo data already present.", flush=True)

    children: list[subprocess.Popen[bytes]] = []
    stripe_server = _start_test_stripe(env)
    if stripe_server is not None:
        children.append(stripe_server)
    try:
        children.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter, argv built here
                [
                    sys.executable,
                    "-m",
                    "ticketing.cli",
                    "serve",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--workers",
                    str(api_workers),
                    "--log-level",
                    "warning",
                ],
                env=env,
            )
        )
        children.append(
            subprocess.Popen(  # noqa: S603 - our own interpreter, argv built here
                [
                    sys.executable,
                    "-m",
                    "ticketing.cli",
                    "worker",
                    "--beat",
                    "--concurrency",
                    "2",
                    "--schedule",
                    str(settings.data_dir / "celerybeat-schedule"),
                    "--loglevel",
                    "warning",
                ],
                env=env,
            )
        )
        base = f"http://{host}:{port}"
        _wait_http(base + "/health", timeout=60)
        if stripe_server is not None:
            send_webhooks(
                env["TICKETING_STRIPE__API_BASE"],
                "podium-demo",
                f"{base}/webhooks/stripe",
                DEMO_WEBHOOK_SECRET,
            )
        worker = _ask_worker(env, timeout=60)
        _print_banner(base, settings, worker["ping"], test_stripe=stripe_server is not None)
        if check_only:
            for line in check_running(base):
                print("check:", line, flush=True)
            known = worker["registered"]
            missing = sorted(set(known["scheduled"]) - set(known["tasks"]))
            print(
                f"check: worker has {len(known['tasks'])} tasks, "
                f"{len(known['outbox_topics'])} outbox topics; "
                f"scheduled tasks it lacks: {missing or 'none'}",
                flush=True,
            )
            # A process that died after answering (the worker once did, on its broker's
            # tables) fails the check as it would stop the running demo.
            stopped = [child.args for child in children if child.poll() is not None]
            print(f"check: processes stopped: {stopped or 'none'}", flush=True)
            return 1 if missing or stopped else 0
        stop = {"flag": False}
        # Set explicitly: a launcher started in the background inherits an ignored SIGINT.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.update(flag=True))
        while not stop["flag"]:
            for child in children:
                if child.poll() is not None:
                    print(
                        f"A process stopped (exit {child.returncode}); shutting down.", flush=True
                    )
                    return 1
            time.sleep(0.5)
        print("Stopping…", flush=True)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        del server
