"""On-sale benchmark: many buyers at once on a standing performance of 5,000 and a seated
performance of 600, each holding 1 to 4 places and checking out at the box office (cash,
so Stripe is not measured).

    python bench/onsale.py                 # starts everything itself (private PostgreSQL,
                                           # migrated, API with several uvicorn workers)
    python bench/onsale.py --url URL ...   # against a running platform (needs --token-file)

The last line holds the figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httptools
import psycopg
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ticketing.core.security import encode_access_token, hash_password, new_secret, sha256_hex  # noqa: E402
from ticketing.db.migrate import upgrade  # noqa: E402
from ticketing.db.private import start_private_postgres  # noqa: E402
from ticketing.db.urls import sync_url  # noqa: E402

STANDING = 5000
SEATED = 600
SECRET = "bench-" + "s" * 40


class Buyer(asyncio.Protocol):
    """One buyer's keep-alive HTTP/1.1 connection. The load generator shares the cores
    with the platform, so it speaks HTTP itself (httptools, as uvicorn does) instead of
    going through a general client library: about a third of the CPU per request."""

    def __init__(self, host: str, token: str) -> None:
        self.head = f"Host: {host}\r\nAuthorization: Bearer {token}\r\n".encode()
        self.parser = httptools.HttpResponseParser(self)
        self.transport: Any = None
        self.answer: asyncio.Future[tuple[int, Any]] | None = None
        self.body = bytearray()

    @classmethod
    async def connect(cls, base: str, token: str) -> Buyer:
        host, port = base.removeprefix("http://").split(":")
        loop = asyncio.get_running_loop()
        _, protocol = await loop.create_connection(lambda: cls(host, token), host, int(port))
        return protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        assert self.answer is not None
        self.answer.set_result((self.parser.get_status_code(), json.loads(self.body)))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answer is not None and not self.answer.done():
            self.answer.set_exception(exc or ConnectionError("the API closed the connection"))

    async def post(
        self, path: str, body: dict[str, Any], key: str | None = None
    ) -> tuple[int, Any]:
        assert self.transport is not None
        payload = json.dumps(body).encode()
        extra = f"Idempotency-Key: {key}\r\n".encode() if key else b""
        self.body = bytearray()
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\n"
            + self.head
            + extra
            + b"Content-Type: application/json\r\nContent-Length: "
            + str(len(payload)).encode()
            + b"\r\n\r\n"
            + payload
        )
        return await asyncio.wait_for(self.answer, 60)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)
    # The same, per kind of performance (standing, seated).
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    orders: int = 0
    tickets: int = 0
    errors: int = 0
    sold_out: int = 0
    error_samples: list[str] = field(default_factory=list)


def _libpq(url: str) -> str:
    return (
        sync_url(url)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg", "postgresql")
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed(database_url: str, clerks: int) -> dict[str, Any]:
    """A house with a standing hall and a theatre, one performance on sale in each, and a
    clerk per buyer with an open till (each clerk sells from their own till)."""
    from datetime import UTC, datetime, timedelta

    from ticketing.seatmaps.demo_layouts import theatre_600
    from ticketing.seatmaps.generator import GeneratorSpec, StandingSpec, generate_layout
    from ticketing.seatmaps.layout import PriceZone

    standing_doc = generate_layout(
        GeneratorSpec(
            name="Concertzaal",
            price_zones=[PriceZone(code="A", name="Staanplaats", color="#2ca02c")],
            standing=[StandingSpec(code="FLOOR", name="Vloer", zone="A", capacity=STANDING)],
        )
    )
    now = datetime.now(UTC)
    ids = {
        k: uuid.uuid4()
        for k in (
            *("cluster", "house", "venue", "event", "h1", "h2", "l1", "l2", "t1"),
            *("p1", "p2", "w1", "w2"),
        )
    }
    password = hash_password(new_secret())
    tokens = []
    with psycopg.connect(_libpq(database_url)) as conn:
        cur = conn.cursor()
        cur.execute(
            "INSERT INTO cluster (id, created_at, updated_at, slug, name, is_demo) VALUES (%s, now(), now(), 'bench', 'Bench', true)",
            (ids["cluster"],),
        )
        cur.execute(
            "INSERT INTO house (id, created_at, updated_at, cluster_id, slug, name, order_code_prefix, hold_minutes, online_fee_cents, is_demo)"
            " VALUES (%s, now(), now(), %s, 'bench-house', 'Bench house', 'BEN', 15, 0, true)",
            (ids["house"], ids["cluster"]),
        )
        cur.execute(
            "INSERT INTO venue (id, created_at, updated_at, house_id, cluster_id, name, street, postal_code, city, country)"
            " VALUES (%s, now(), now(), %s, %s, 'Bench', 'Straat 1', '9000', 'Gent', 'BE')",
            (ids["venue"], ids["house"], ids["cluster"]),
        )
        for hall, layout, doc in (("h1", "l1", standing_doc), ("h2", "l2", theatre_600())):
            cur.execute(
                "INSERT INTO hall (id, created_at, updated_at, house_id, cluster_id, venue_id, name) VALUES (%s, now(), now(), %s, %s, %s, %s)",
                (ids[hall], ids["house"], ids["cluster"], ids["venue"], hall),
            )
            cur.execute(
                "INSERT INTO seat_map_layout (id, created_at, updated_at, house_id, cluster_id, hall_id, version, name, document, seat_count, standing_capacity)"
                " VALUES (%s, now(), now(), %s, %s, %s, 1, %s, %s, %s, %s)",
                (
                    ids[layout],
                    ids["house"],
                    ids["cluster"],
                    ids[hall],
                    doc.name,
                    json.dumps(doc.model_dump(mode="json")),
                    doc.seat_count,
                    doc.standing_capacity,
                ),
            )
        cur.execute(
            "INSERT INTO event (id, created_at, updated_at, house_id, cluster_id, title, description, event_type_id, images, status)"
            " VALUES (%s, now(), now(), %s, %s, '{\"nl\": \"Bench\"}', '{}', '0.50.4.0.0', '[]', 'published')",
            (ids["event"], ids["house"], ids["cluster"]),
        )
        cur.execute(
            "INSERT INTO tariff (id, created_at, updated_at, house_id, cluster_id, event_id, code, name, kind, rule, value, staff_only, requires_check, position)"
            " VALUES (%s, now(), now(), %s, %s, %s, 'BASE', '{\"nl\": \"Normaal\"}', 'base', 'percent_off', 0, false, false, 0)",
            (ids["t1"], ids["house"], ids["cluster"], ids["event"]),
        )
        # p1 and p2 are the on-sale; w1 and w2 the same halls on another night, for the
        # warm-up round that comes first.
        performances = (
            ("p1", "h1", "l1"),
            ("p2", "h2", "l2"),
            ("w1", "h1", "l1"),
            ("w2", "h2", "l2"),
        )
        for perf, hall, layout in performances:
            cur.execute(
                "INSERT INTO performance (id, created_at, updated_at, house_id, cluster_id, event_id, hall_id, layout_id, starts_at, ends_at, status)"
                " VALUES (%s, now(), now(), %s, %s, %s, %s, %s, %s, %s, 'on_sale')",
                (
                    ids[perf],
                    ids["house"],
                    ids["cluster"],
                    ids["event"],
                    ids[hall],
                    ids[layout],
                    now + timedelta(days=30),
                    now + timedelta(days=30, hours=2),
                ),
            )
        for perf, zone, price in (
            ("w1", "A", 2500),
            ("w2", "A", 3200),
            ("w2", "B", 2600),
            ("w2", "C", 1900),
            ("p1", "A", 2500),
            ("p2", "A", 3200),
            ("p2", "B", 2600),
            ("p2", "C", 1900),
        ):
            cur.execute(
                "INSERT INTO performance_price (id, created_at, updated_at, house_id, cluster_id, performance_id, zone_code, amount_cents) VALUES (%s, now(), now(), %s, %s, %s, %s, %s)",
                (uuid.uuid4(), ids["house"], ids["cluster"], ids[perf], zone, price),
            )
        for perf in ("p1", "w1"):
            cur.execute(
                "INSERT INTO standing_stock (performance_id, area_code, house_id, cluster_id, zone_code, capacity, used) VALUES (%s, 'FLOOR', %s, %s, 'A', %s, 0)",
                (ids[perf], ids["house"], ids["cluster"], STANDING),
            )
        for n in range(clerks):
            user, session_id = uuid.uuid4(), uuid.uuid4()
            cur.execute(
                "INSERT INTO staff_user (id, created_at, updated_at, email, name, password_hash, is_platform_admin, is_active, language)"
                " VALUES (%s, now(), now(), %s, %s, %s, false, true, 'nl')",
                (user, f"clerk{n}@bench.test", f"Clerk {n}", password),
            )
            cur.execute(
                "INSERT INTO role_assignment (id, created_at, updated_at, user_id, role, cluster_id, house_id) VALUES (%s, now(), now(), %s, 'box_office', %s, %s)",
                (uuid.uuid4(), user, ids["cluster"], ids["house"]),
            )
            cur.execute(
                "INSERT INTO auth_session (id, created_at, updated_at, user_id, refresh_hash, expires_at) VALUES (%s, now(), now(), %s, %s, now() + interval '1 day')",
                (session_id, user, sha256_hex(new_secret())),
            )
            cur.execute(
                "INSERT INTO till_session (id, created_at, updated_at, house_id, cluster_id, clerk_id, opened_at, float_cents, report) VALUES (%s, now(), now(), %s, %s, %s, now(), 0, '{}')",
                (uuid.uuid4(), ids["house"], ids["cluster"], user),
            )
            tokens.append(
                encode_access_token(
                    secret=SECRET, user_id=user, session_id=session_id, now=now, minutes=120
                )
            )
    return {
        "house": str(ids["house"]),
        "standing": str(ids["p1"]),
        "seated": str(ids["p2"]),
        "warm-up": {"standing": str(ids["w1"]), "seated": str(ids["w2"])},
        "tokens": tokens,
    }


async def buyer(
    http: Buyer,
    world: dict[str, Any],
    performances: dict[str, str],
    stats: Stats,
    rng: random.Random,
    stop: dict[str, bool],
    rounds: int | None = None,
) -> None:
    """Buy until both performances are sold out (or for a number of rounds)."""
    while not (stop["standing"] and stop["seated"]):
        if rounds is not None:
            if rounds == 0:
                return
            rounds -= 1
        kind = rng.choice([k for k in ("standing", "seated") if not stop[k]])
        quantity = rng.randint(1, 4)
        body: dict[str, Any] = {"house_id": world["house"], "performance_id": performances[kind]}
        if kind == "standing":
            body["standing"] = [{"area": "FLOOR", "quantity": quantity}]
        else:
            body["best"] = {"quantity": quantity}
        started = time.perf_counter()
        status, answer = await http.post("/box-office/holds", body)
        if status == 409 and answer.get("type", "").endswith(("sold-out", "seats-taken")):
            if answer["type"].endswith("sold-out"):
                stats.sold_out += 1
                if quantity == 1:
                    stop[kind] = True
            continue
        if status != 201:
            stats.errors += 1
            stats.error_samples.append(f"hold {status} {str(answer)[:200]}")
            continue
        order_body = {"hold_id": answer["id"], "payment": {"method": "cash"}}
        status, order = await http.post("/box-office/orders", order_body, key=answer["id"])
        if status != 201 or order.get("status") != "paid":
            stats.errors += 1
            stats.error_samples.append(f"order {status} {str(order)[:200]}")
            continue
        took = (time.perf_counter() - started) * 1000
        stats.latencies.append(took)
        stats.by_kind.setdefault(kind, []).append(took)
        stats.orders += 1
        stats.tickets += len(order["tickets"])


def _p99(latencies: list[float]) -> float:
    """The 99th percentile of sorted latencies (0 when there are none)."""
    return round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else 0


def check(database_url: str, world: dict[str, Any]) -> tuple[int, int]:
    with psycopg.connect(_libpq(database_url)) as conn:
        over = conn.execute(
            "SELECT coalesce(sum(quantity), 0) FROM allocation WHERE performance_id = %s AND status = 'sold'",
            (world["standing"],),
        ).fetchone()
        double = conn.execute(
            "SELECT count(*) FROM (SELECT seat_key FROM allocation WHERE performance_id = %s GROUP BY seat_key HAVING count(*) > 1) d",
            (world["seated"],),
        ).fetchone()
        tickets = conn.execute(
            "SELECT count(*) FROM ticket t JOIN customer_order o ON o.id = t.order_id WHERE o.status = 'paid' AND t.seat_key IS NOT NULL"
            " GROUP BY t.performance_id, t.seat_key HAVING count(*) > 1"
        ).fetchall()
    assert over is not None
    assert double is not None
    return max(0, int(over[0]) - STANDING), int(double[0]) + len(tickets)


async def run(
    base: str, database_url: str, world: dict[str, Any], concurrency: int, warm_up: int
) -> dict[str, Any]:
    stats = Stats()
    stop = {"standing": False, "seated": False}
    buyers = [await Buyer.connect(base, world["tokens"][i]) for i in range(concurrency)]
    try:
        if warm_up:
            # An on-sale opens on a platform that has been running: the buyers first buy a
            # few times for another night (not measured), so every API process has its
            # database connections open and its code paths warm.
            warm = Stats()
            await asyncio.gather(
                *(
                    buyer(
                        http,
                        world,
                        world["warm-up"],
                        warm,
                        random.Random(-1 - i),
                        {"standing": False, "seated": False},
                        rounds=warm_up,
                    )
                    for i, http in enumerate(buyers)
                )
            )
            stats.errors += warm.errors
            stats.error_samples += warm.error_samples
        started = time.perf_counter()
        await asyncio.gather(
            *(
                buyer(
                    http,
                    world,
                    {"standing": world["standing"], "seated": world["seated"]},
                    stats,
                    random.Random(i),
                    stop,
                )
                for i, http in enumerate(buyers)
            )
        )
        elapsed = time.perf_counter() - started
    finally:
        for http in buyers:
            http.close()
    oversold, double_booked = check(database_url, world)
    latencies = sorted(stats.latencies)
    per_kind = {kind: sorted(stats.by_kind.get(kind, [])) for kind in ("standing", "seated")}
    for sample in stats.error_samples[:5]:
        print("error:", sample, file=sys.stderr)
    return {
        "concurrency": concurrency,
        "orders": stats.orders,
        "tickets": stats.tickets,
        "seconds": round(elapsed, 2),
        "orders_per_s": round(stats.orders / elapsed, 1),
        "tickets_per_s": round(stats.tickets / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p99_ms": _p99(latencies),
        "p99_standing_ms": _p99(per_kind["standing"]),
        "p99_seated_ms": _p99(per_kind["seated"]),
        "oversold": oversold,
        "double_booked": double_booked,
        "errors": stats.errors,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="API processes (podium serve)")
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=4,
        help="requests each API process works on at once (TICKETING_MAX_IN_FLIGHT)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=3,
        help="orders per buyer on another night before the measured on-sale (0: start cold)",
    )
    parser.add_argument("--url", help="a running platform (with --database-url of its database)")
    parser.add_argument("--database-url", help="the platform's database (seeded by this benchmark)")
    args = parser.parse_args()

    server = None
    api = None
    tmp = tempfile.TemporaryDirectory(prefix="podium-bench-")
    try:
        if args.url:
            if not args.database_url:
                parser.error("--url needs --database-url (the benchmark seeds its own house there)")
            base, database_url = args.url.rstrip("/"), args.database_url
        else:
            server, database_url = start_private_postgres(Path(tmp.name))
            with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
                conn.execute("ALTER SYSTEM SET max_connections = 200")
            server.psql("SELECT pg_reload_conf();")
            upgrade(database_url)
            port = _free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
            env.update(
                TICKETING_DATABASE_URL=database_url,
                TICKETING_AUTH__JWT_SECRET=SECRET,
                TICKETING_TICKETS__SECRET_KEY=SECRET,
                TICKETING_DATABASE_POOL_SIZE="16",
                TICKETING_MAX_IN_FLIGHT=str(args.max_in_flight),
                TICKETING_CELERY__BROKER_URL="memory://",
            )
            api = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ticketing.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=env,
            )
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the API did not start") from None
                    time.sleep(0.2)
            time.sleep(1.0)
        world = seed(database_url, args.concurrency)
        # The load generator shares the cores with the platform: keep its own cost low.
        figures = uvloop.run(run(base, database_url, world, args.concurrency, args.warm_up))
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        if server is not None:
            # Stop the private PostgreSQL before its directory goes: otherwise it lingers
            # for a while and takes CPU from the next run.
            server.cleanup()
        tmp.cleanup()
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    return (
        0
        if figures["oversold"] == 0 and figures["double_booked"] == 0 and figures["errors"] == 0
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
