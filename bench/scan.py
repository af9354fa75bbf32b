"""Door-scanning benchmark: many devices scanning issued tickets online at once, and the
offline verifier alone.

    python bench/scan.py                    # starts everything itself
    python bench/scan.py --devices 16 --tickets 6000 --workers 2

With no arguments it starts a private PostgreSQL and the API as in production
(`podium serve`, two processes), seeds a house with a standing performance starting
within the hour, sells and issues 6,000 tickets (paid orders of 1 to 10; signed in this
process with the house's key, as the worker does) and registers 16 door devices. Every
device keeps one HTTP/1.1 connection and scans its own share of the tickets, one after
the other, as fast as the answers come: each ticket once. A warm-up share is scanned
first and not measured.

Then it checks the server's record: every measured ticket admitted exactly once. Last,
it checks every code with the offline verifier (`ticketing.checkin.verify`, built from
a device's kit) for a second on one core.

The last line holds the figures as key=value pairs: `scans_per_s`, `p50_ms` and `p99_ms`
of the online scans, `admitted` and `errors` (any answer other than an admission), and
`offline_verifications_per_s`.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from platform_support import (  # noqa: E402
    SECRET,
    Connection,
    libpq,
    p99,
    paid_orders,
    private_postgres,
    seed,
    start_api,
)
from sqlalchemy import text  # noqa: E402

from ticketing.checkin.verify import Verifier  # noqa: E402
from ticketing.core import keyring  # noqa: E402
from ticketing.core.security import sha256_hex  # noqa: E402
from ticketing.db import raw  # noqa: E402
from ticketing.db.engine import create_engine, create_sessionmaker  # noqa: E402
from ticketing.settings import TicketSettings  # noqa: E402
from ticketing.tickets import issuing  # noqa: E402

WARM_UP = 10  # scans per device before the measured part


async def issue_tickets(database_url: str, world: dict[str, Any], tickets: int) -> list[str]:
    """Sell and issue tickets for the standing performance; their QR codes."""
    keyring.configure(TicketSettings(secret_key=SECRET), "http://127.0.0.1")
    engine = create_engine(database_url, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            performance = (
                await (await session.connection()).execute(
                    text(
                        "SELECT p.id, p.house_id, p.cluster_id, h.order_code_prefix "
                        "FROM performance p JOIN house h ON h.id = p.house_id WHERE p.id = :id"
                    ),
                    {"id": world["standing"]},
                )
            ).one()
        await paid_orders(sessionmaker, [performance], tickets, random.Random(3), most=10)
        async with sessionmaker() as session:
            connection = await session.connection()
            orders = (
                await connection.execute(
                    text("SELECT DISTINCT order_id FROM ticket WHERE performance_id = :id"),
                    {"id": world["standing"]},
                )
            ).scalars()
            for order_id in orders.all():
                await issuing.issue(session, order_id)
            await raw.send_deferred(session)
            await session.commit()
            codes = (
                await (await session.connection()).execute(
                    text("SELECT qr FROM ticket WHERE performance_id = :id ORDER BY id"),
                    {"id": world["standing"]},
                )
            ).scalars()
            return list(codes.all())
    finally:
        await engine.dispose()


def register_devices(database_url: str, world: dict[str, Any], count: int) -> list[str]:
    tokens = [f"dev_bench{n:03d}{uuid.uuid4().hex}" for n in range(count)]
    with psycopg.connect(libpq(database_url)) as conn:
        cluster = conn.execute(
            "SELECT cluster_id FROM house WHERE id = %s", (world["house"],)
        ).fetchone()
        assert cluster is not None
        for n, token in enumerate(tokens):
            conn.execute(
                "INSERT INTO scanner_device (id, created_at, updated_at, house_id, cluster_id,"
                " name, token_hash, performance_ids, gates)"
                " VALUES (%s, now(), now(), %s, %s, %s, %s, %s, %s)",
                (
                    uuid.uuid4(),
                    world["house"],
                    cluster[0],
                    f"Deur {n}",
                    sha256_hex(token),
                    [uuid.UUID(world["standing"])],
                    psycopg.types.json.Jsonb([f"gate{n % 4}"]),
                ),
            )
    return tokens


async def device(
    http: Connection, codes: list[str], latencies: list[float], errors: list[str]
) -> None:
    for code in codes:
        started = time.perf_counter()
        status, answer = await http.post("/scanner/scans", {"qr": code})
        took = (time.perf_counter() - started) * 1000
        if status != 200 or answer.get("result") != "admitted":
            errors.append(f"{status} {str(answer)[:200]}")
            continue
        latencies.append(took)


async def online(base: str, tokens: list[str], codes: list[str]) -> dict[str, Any]:
    devices = [await Connection.connect(base, token) for token in tokens]
    n = len(devices)
    warm, measured = codes[: WARM_UP * n], codes[WARM_UP * n :]
    errors: list[str] = []
    try:
        await asyncio.gather(
            *(device(http, warm[i::n], [], errors) for i, http in enumerate(devices))
        )
        latencies: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(
            *(device(http, measured[i::n], latencies, errors) for i, http in enumerate(devices))
        )
        elapsed = time.perf_counter() - started
    finally:
        for http in devices:
            http.close()
    for sample in errors[:5]:
        print("error:", sample, file=sys.stderr)
    latencies.sort()
    return {
        "devices": n,
        "scans": len(measured),
        "seconds": round(elapsed, 2),
        "scans_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p99_ms": p99(latencies),
        "errors": len(errors),
    }


def admitted(database_url: str, world: dict[str, Any]) -> tuple[int, int]:
    """Tickets admitted, and admissions recorded twice for one ticket."""
    with psycopg.connect(libpq(database_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM ticket WHERE performance_id = %s AND admitted_at IS NOT NULL",
            (world["standing"],),
        ).fetchone()
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT ticket_id FROM scan WHERE performance_id = %s"
            " AND result = 'admitted' GROUP BY ticket_id HAVING count(*) > 1) d",
            (world["standing"],),
        ).fetchone()
    assert row is not None
    assert twice is not None
    return int(row[0]), int(twice[0])


async def fetch_kit(base: str, token: str) -> dict[str, Any]:
    http = await Connection.connect(base, token)
    try:
        status, kit = await http.get("/scanner/kit")
    finally:
        http.close()
    assert status == 200, kit
    return dict(kit)


def offline(kit: dict[str, Any], codes: list[str]) -> float:
    """Codes checked per second by the offline verifier, in this one process."""
    verifier = Verifier.from_kit(kit)
    now = datetime.now(UTC)
    checked, started = 0, time.perf_counter()
    while time.perf_counter() - started < 1.0:
        for code in codes[:1000]:
            verdict = verifier.check(code, now=now)
            assert verdict.ok, verdict
        checked += min(len(codes), 1000)
    return checked / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=16)
    parser.add_argument("--tickets", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=2, help="API processes (podium serve)")
    parser.add_argument("--max-in-flight", type=int, default=8)
    args = parser.parse_args()
    server = api = None
    tmp = tempfile.TemporaryDirectory(prefix="podium-bench-")
    try:
        server, database_url = private_postgres(Path(tmp.name))
        api, base = start_api(database_url, args.workers, args.max_in_flight)
        world = seed(database_url, clerks=1, standing=args.tickets, starts_in_hours=1)
        codes = asyncio.run(issue_tickets(database_url, world, args.tickets))
        tokens = register_devices(database_url, world, args.devices)
        figures = uvloop.run(online(base, tokens, codes))
        admitted_count, twice = admitted(database_url, world)
        kit = uvloop.run(fetch_kit(base, tokens[0]))
        figures["admitted"] = admitted_count
        figures["admitted_twice"] = twice
        figures["offline_verifications_per_s"] = round(offline(kit, codes), 1)
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        if server is not None:
            server.cleanup()
        tmp.cleanup()
    print(" ".join(f"{k}={v}" for k, v in figures.items()))
    return 0 if figures["errors"] == 0 and figures["admitted_twice"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
