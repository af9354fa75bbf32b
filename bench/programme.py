"""The public programme on an on-sale day: many audience members (and widgets on houses'
sites) reading a cluster's whole programme, with its live "places left", while the halls
fill up.

A cluster with `--performances` performances of the 600-seat theatre, each with
`--sold` of its seats sold (allocation rows, as real sales leave them); `--connections`
clients ask for `/public/clusters/bench/programme?limit=200` for `--seconds`.

Last line: performances=... allocations=... connections=... requests=... seconds=...
requests_per_s=... p50_ms=... p99_ms=... errors=...
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from platform_support import Connection, libpq, p99, private_postgres, seed, start_api


def add_performances(database_url: str, count: int, sold: float) -> int:
    """More nights of the seeded theatre, each with its share of seats sold; how many
    allocation rows that made."""
    rows = 0
    with psycopg.connect(libpq(database_url)) as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT p.house_id, p.cluster_id, p.event_id, p.hall_id, p.layout_id, p.starts_at"
            " FROM performance p JOIN seat_map_layout l ON l.id = p.layout_id"
            " WHERE l.seat_count = 600 LIMIT 1"
        )
        house, cluster, event, hall, layout, starts = cur.fetchone()  # type: ignore[misc]
        taken = int(600 * sold)
        for n in range(count):
            performance = uuid.uuid4()
            cur.execute(
                "INSERT INTO performance (id, created_at, updated_at, house_id, cluster_id,"
                " event_id, hall_id, layout_id, starts_at, ends_at, status)"
                " VALUES (%s, now(), now(), %s, %s, %s, %s, %s,"
                " %s + make_interval(days => %s), %s + make_interval(days => %s, hours => 2),"
                " 'on_sale')",
                (performance, house, cluster, event, hall, layout, starts, n + 1, starts, n + 1),
            )
            cur.execute(
                "INSERT INTO performance_price (id, created_at, updated_at, house_id,"
                " cluster_id, performance_id, zone_code, amount_cents)"
                " VALUES (gen_random_uuid(), now(), now(), %s, %s, %s, 'A', 3200)",
                (house, cluster, performance),
            )
            cur.execute(
                "INSERT INTO allocation (id, created_at, updated_at, house_id, cluster_id,"
                " performance_id, seat_key, zone_code, quantity, status)"
                " SELECT gen_random_uuid(), now(), now(), %s, %s, %s, 'STALLS/X/' || s, 'A',"
                " 1, 'sold' FROM generate_series(1, %s) AS s",
                (house, cluster, performance, taken),
            )
            rows += taken
        conn.commit()
        cur.execute("ANALYZE allocation")
    return rows


async def reader(
    base: str, path: str, until: float, latencies: list[float], errors: list[int]
) -> None:
    connection = await Connection.connect(base, "")
    connection.head = b"Host: bench\r\n"  # an audience member: no login
    try:
        while time.monotonic() < until:
            started = time.perf_counter()
            status, body = await connection.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != 200 or not isinstance(body, list) or not body:
                errors.append(status)
    finally:
        connection.close()


async def load(base: str, connections: int, seconds: float) -> dict[str, Any]:
    path = "/public/clusters/bench/programme?limit=200"
    warm: list[float] = []
    await reader(base, path, time.monotonic() + 2, warm, [])
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(reader(base, path, until, latencies, errors) for _ in range(connections))
    )
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else 0,
        "p99_ms": p99(latencies),
        "errors": len(errors),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--performances", type=int, default=200)
    parser.add_argument("--sold", type=float, default=0.6, help="share of seats sold")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="podium-bench-") as directory:
        server, database_url = private_postgres(Path(directory))
        api = None
        try:
            seed(database_url, clerks=0)
            rows = add_performances(database_url, args.performances, args.sold)
            api, base = start_api(database_url, args.workers, max_in_flight=64)
            figures = asyncio.run(load(base, args.connections, args.seconds))
        finally:
            if api is not None:
                api.terminate()
                api.wait(timeout=30)
            server.cleanup()
    line = {
        "performances": args.performances,
        "allocations": rows,
        "connections": args.connections,
        **figures,
    }
    print(" ".join(f"{k}={v}" for k, v in line.items()))
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
