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
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import uvloop

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from platform_support import (  # noqa: E402
    Connection,
    libpq,
    p99,
    private_postgres,
    seed,
    start_api,
)

STANDING = 5000
SEATED = 600


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


async def buyer(
    http: Connection,
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


def check(database_url: str, world: dict[str, Any]) -> tuple[int, int]:
    with psycopg.connect(libpq(database_url)) as conn:
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


def availability_updates(database_url: str) -> int:
    """The UiTdatabank availability updates the on-sale stored (none run: no worker)."""
    with psycopg.connect(libpq(database_url)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM outbox_message WHERE topic = 'uitdatabank.availability'"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def run(
    base: str, database_url: str, world: dict[str, Any], concurrency: int, warm_up: int
) -> dict[str, Any]:
    stats = Stats()
    stop = {"standing": False, "seated": False}
    buyers = [await Connection.connect(base, world["tokens"][i]) for i in range(concurrency)]
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
        "p99_ms": p99(latencies),
        "p99_standing_ms": p99(per_kind["standing"]),
        "p99_seated_ms": p99(per_kind["seated"]),
        "oversold": oversold,
        "double_booked": double_booked,
        "errors": stats.errors,
        "availability_updates": availability_updates(database_url),
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
    parser.add_argument(
        "--uitdatabank",
        action="store_true",
        help="the event is in UiTdatabank: sales also store its availability updates",
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
            server, database_url = private_postgres(Path(tmp.name))
            # No worker runs: the updates wait in the outbox, where the figures count them.
            udb = (
                {"TICKETING_UITDATABANK__API_URL": "http://127.0.0.1:9"} if args.uitdatabank else {}
            )
            api, base = start_api(database_url, args.workers, args.max_in_flight, udb)
        world = seed(database_url, args.concurrency, uitdatabank=args.uitdatabank)
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
