"""What the benchmarks share: a private PostgreSQL, the API started as in production, a
seeded house, and a light HTTP/1.1 client."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httptools
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgserver.postgres_server import PostgresServer  # noqa: E402
from sqlalchemy import text  # noqa: E402

import ticketing.handlers  # noqa: E402, F401 - registers the outbox topics
from ticketing.core import keyring, outbox  # noqa: E402
from ticketing.core.security import encode_access_token, hash_password, new_secret, sha256_hex  # noqa: E402
from ticketing.db.migrate import upgrade  # noqa: E402
from ticketing.db.private import start_private_postgres  # noqa: E402
from ticketing.db.uow import unit_of_work  # noqa: E402
from ticketing.db.urls import sync_url  # noqa: E402
from ticketing.tickets import issuing  # noqa: E402

SECRET = "bench-" + "s" * 40


class Connection(asyncio.Protocol):
    """One client's keep-alive HTTP/1.1 connection (a buyer, a door device). The load
    generator shares the cores with the platform, so it speaks HTTP itself (httptools, as
    uvicorn does) instead of going through a general client library: about a third of
    the CPU per request."""

    def __init__(self, host: str, token: str) -> None:
        self.head = f"Host: {host}\r\nAuthorization: Bearer {token}\r\n".encode()
        self.parser = httptools.HttpResponseParser(self)
        self.transport: Any = None
        self.answer: asyncio.Future[tuple[int, Any]] | None = None
        self.body = bytearray()

    @classmethod
    async def connect(cls, base: str, token: str) -> Connection:
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

    async def get(self, path: str) -> tuple[int, Any]:
        assert self.transport is not None
        self.body = bytearray()
        self.answer = asyncio.get_running_loop().create_future()
        self.transport.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head + b"\r\n")
        return await asyncio.wait_for(self.answer, 60)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def libpq(url: str) -> str:
    return (
        sync_url(url)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg", "postgresql")
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def private_postgres(directory: Path) -> tuple[PostgresServer, str]:
    """A private PostgreSQL in directory (room for many connections), migrated."""
    server, database_url = start_private_postgres(directory)
    with psycopg.connect(libpq(database_url), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET max_connections = 200")
    server.psql("SELECT pg_reload_conf();")
    upgrade(database_url)
    return server, database_url


def start_api(
    database_url: str, workers: int, max_in_flight: int, extra_env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """`podium serve` on a free port, as in production; its process and address."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATABASE_URL=database_url,
        TICKETING_AUTH__JWT_SECRET=SECRET,
        TICKETING_TICKETS__SECRET_KEY=SECRET,
        TICKETING_DATABASE_POOL_SIZE="16",
        TICKETING_MAX_IN_FLIGHT=str(max_in_flight),
        TICKETING_CELERY__BROKER_URL="memory://",
        **(extra_env or {}),
    )
    api = subprocess.Popen(
        [sys.executable, "-m", "ticketing.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline or api.poll() is not None:
                api.kill()
                raise RuntimeError("the API did not start") from None
            time.sleep(0.2)
    time.sleep(1.0)
    return api, f"http://127.0.0.1:{port}"


def seed(
    database_url: str,
    clerks: int,
    standing: int = 5000,
    starts_in_hours: float = 30 * 24,
    *,
    uitdatabank: bool = False,
) -> dict[str, Any]:
    """A house with a standing hall and a theatre, one performance on sale in each, and a
    clerk per buyer with an open till (each clerk sells from their own till). With
    uitdatabank, the event is in UiTdatabank: every sale stores its availability update."""
    from datetime import UTC, datetime, timedelta

    from ticketing.seatmaps.demo_layouts import theatre_600
    from ticketing.seatmaps.generator import GeneratorSpec, StandingSpec, generate_layout
    from ticketing.seatmaps.layout import PriceZone

    standing_doc = generate_layout(
        GeneratorSpec(
            name="Concertzaal",
            price_zones=[PriceZone(code="A", name="Staanplaats", color="#2ca02c")],
            standing=[StandingSpec(code="FLOOR", name="Vloer", zone="A", capacity=standing)],
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
    with psycopg.connect(libpq(database_url)) as conn:
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
                    now + timedelta(hours=starts_in_hours),
                    now + timedelta(hours=starts_in_hours + 2),
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
                (ids[perf], ids["house"], ids["cluster"], standing),
            )
        if uitdatabank:
            cur.execute(
                "INSERT INTO uitdatabank_event (id, created_at, updated_at, house_id, cluster_id, event_id, venue_id, udb_id, status, sub_events, schema_errors)"
                " VALUES (%s, now(), now(), %s, %s, %s, %s, %s, 'synced', %s, '[]')",
                (
                    uuid.uuid4(),
                    ids["house"],
                    ids["cluster"],
                    ids["event"],
                    ids["venue"],
                    str(uuid.uuid4()),
                    json.dumps([str(ids[p]) for p in ("p1", "p2", "w1", "w2")]),
                ),
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


def p99(latencies: list[float]) -> float:
    """The 99th percentile of sorted latencies (0 when there are none)."""
    return round(latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else 0


_ORDER = text(
    """
    INSERT INTO customer_order (id, created_at, updated_at, house_id, cluster_id, code, channel,
        status, customer_name, customer_email, language, tickets_cents, fees_cents,
        total_cents, paid_cents, refunded_cents, needs_attention, secret_hash)
    VALUES (:id, now(), now(), :house_id, :cluster_id, :code, 'box_office', 'paid',
        'Bench Koper', 'koper@example.be', :language, :total, 0, :total, :total, 0, false,
        :secret_hash)
    """
)
_TICKET = text(
    """
    INSERT INTO ticket (id, created_at, updated_at, house_id, cluster_id, order_id,
        performance_id, area_code, zone_code, tariff_code, price_cents, requires_check, status)
    VALUES (:id, now(), now(), :house_id, :cluster_id, :order_id, :performance_id, 'FLOOR',
        'S', 'NORMAAL', 1800, false, 'valid')
    """
)


async def paid_orders(
    sessionmaker: Any, performances: list[Any], tickets: int, rng: random.Random, most: int = 4
) -> list[uuid.UUID]:
    """Paid orders of 1 to `most` tickets on these performances (rows with id, house_id,
    cluster_id, order_code_prefix), `tickets` in all, each with its issuing message as a
    sale leaves it; the ids of those messages."""
    async with unit_of_work(sessionmaker) as session:  # sends the deferred outbox rows
        connection = await session.connection()
        left, n = tickets, 0
        while left:
            count = min(left, rng.randint(1, most))
            performance = rng.choice(performances)
            order_id = uuid.uuid4()
            n += 1
            await connection.execute(
                _ORDER,
                {
                    "id": order_id,
                    "house_id": performance.house_id,
                    "cluster_id": performance.cluster_id,
                    "code": f"{performance.order_code_prefix}-B{n:05d}",
                    "language": rng.choice(["nl", "nl", "fr", "en"]),
                    "total": 1800 * count,
                    "secret_hash": sha256_hex(keyring.keyring().order_secret(order_id)),
                },
            )
            await connection.execute(
                _TICKET,
                [
                    {
                        "id": uuid.uuid4(),
                        "house_id": performance.house_id,
                        "cluster_id": performance.cluster_id,
                        "order_id": order_id,
                        "performance_id": performance.id,
                    }
                    for _ in range(count)
                ],
            )
            outbox.put(
                session, issuing.TOPIC, {"order_id": str(order_id)}, house_id=performance.house_id
            )
            left -= count
    return await outbox.due(sessionmaker, limit=tickets + 1)
