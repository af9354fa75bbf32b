"""Reports benchmark: the daily-sales and VAT reports of one house and one month, over a
ledger of 1,000,000 entries.

    python bench/reports.py                      # private PostgreSQL, 1,000,000 entries
    python bench/reports.py --entries 200000
    python bench/reports.py --database-url postgresql://...   # a throw-away database
                                                               # (migrated, entries added)

The ledger is filled in PostgreSQL (INSERT ... SELECT over generate_series): 4 clusters of
5 houses, a year of business dates, sales of 1 ticket at 6 %, about 1 in 20 a
cancellation, fees and the payments and refunds of the money taken, on 40 performances a
house, by 3 payment methods, 3 channels, 8 tariffs and 6 clerks. The reports then run
through the service functions (as the API calls them, as a platform admin), each run in a
session of its own; the figure is the median of --runs runs after one warm-up.

The last line holds the figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlmodel.ext.asyncio.session import AsyncSession  # noqa: E402

from ticketing.db import raw  # noqa: E402
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker  # noqa: E402
from ticketing.db.migrate import upgrade  # noqa: E402
from ticketing.db.private import start_private_postgres  # noqa: E402
from ticketing.db.uow import unit_of_work  # noqa: E402
from ticketing.money import reports  # noqa: E402
from ticketing.money.tables import Report  # noqa: E402
from ticketing.tenancy.models import Cluster, House  # noqa: E402
from ticketing.tenancy.principal import Principal  # noqa: E402

CLUSTERS = 4
HOUSES_PER_CLUSTER = 5
YEAR_START = date(2026, 1, 1)
MONTH = date(2026, 3, 1)

# One row per entry number n: its house, day and performance spread by a hash of n (the
# performance's day follows from the performance); its kind from n: every tenth entry a
# payment, some a refund, every 25th a fee, 1 in 20 a cancellation, the rest sales.
_FILL = """
INSERT INTO ledger_entry (
    at, business_date, cluster_id, kind, owner_house_id, seller_house_id, holder_house_id,
    channel, order_id, ticket_id, performance_id, performance_date, tariff_id, tariff_code,
    payment_method, till_session_id, clerk_id, payment_id, refund_id, quantity,
    gross_cents, vat_rate_bp, vat_cents, net_cents, reference)
SELECT
    d + time '12:00' AT TIME ZONE 'Europe/Brussels', d, h.cluster_id, k.kind, h.id, h.id,
    h.id, (ARRAY['online', 'counter', 'phone'])[1 + n % 3], NULL, NULL,
    CASE WHEN k.ticket THEN perf.id END,
    CASE WHEN k.ticket THEN perf.day END,
    NULL, CASE WHEN k.ticket THEN 'T' || (n % 8) END,
    (ARRAY['cash', 'card_terminal', 'online'])[1 + (n / 3) % 3],
    NULL, clerk.id, NULL, NULL,
    CASE k.kind WHEN 'sale' THEN 1 WHEN 'cancel' THEN -1 ELSE 0 END,
    k.sign * g.gross, k.rate, k.sign * v.vat, k.sign * (g.gross - v.vat), NULL
FROM generate_series(1, $1::int) AS n
CROSS JOIN LATERAL (SELECT $2::uuid[] AS houses) AS hs
CROSS JOIN LATERAL (
    SELECT hs.houses[1 + abs(hashint4(n)) % array_length(hs.houses, 1)] AS id
) AS hid
JOIN house h ON h.id = hid.id
CROSS JOIN LATERAL (SELECT $3::date + abs(hashint4(n + 1000000000)) % 365 AS d) AS day
CROSS JOIN LATERAL (
    SELECT md5(h.id::text || (abs(hashint4(-n)) % 40))::uuid AS id,
           $3::date + (abs(hashint4(-n)) % 40) * 9 AS day
) AS perf
CROSS JOIN LATERAL (SELECT md5(h.id::text || 'clerk' || (n % 6))::uuid AS id) AS clerk
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN n % 10 = 0 THEN 'payment' WHEN n % 10 = 5 AND n % 3 = 0 THEN 'refund'
        WHEN n % 25 = 1 THEN 'fee' WHEN n % 20 = 3 THEN 'cancel' ELSE 'sale' END AS kind
) AS kk
CROSS JOIN LATERAL (
    SELECT kk.kind,
           kk.kind IN ('sale', 'cancel') AS ticket,
           CASE WHEN kk.kind IN ('cancel', 'refund') THEN -1 ELSE 1 END AS sign,
           CASE kk.kind WHEN 'fee' THEN 2100 WHEN 'payment' THEN 0 WHEN 'refund' THEN 0
                ELSE 600 END AS rate
) AS k
CROSS JOIN LATERAL (SELECT 500 + (n * 37) % 5000 AS gross) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN k.rate = 0 THEN 0
           ELSE floor((g.gross * k.rate * 2 + 10000 + k.rate) / (2 * (10000 + k.rate)))::bigint
           END AS vat
) AS v
"""


async def _houses(sessionmaker: SessionMaker) -> list[House]:
    async with unit_of_work(sessionmaker) as session:
        houses = []
        for c in range(CLUSTERS):
            cluster = Cluster(slug=f"bench-{uuid.uuid4().hex[:8]}", name=f"Cluster {c}")
            session.add(cluster)
            await session.flush()
            for h in range(HOUSES_PER_CLUSTER):
                house = House(
                    cluster_id=cluster.id,
                    slug=f"bench-{uuid.uuid4().hex[:8]}",
                    name=f"Huis {c}.{h}",
                    order_code_prefix=uuid.uuid4().hex[:4].upper(),
                )
                session.add(house)
                houses.append(house)
    return houses


async def _fill(sessionmaker: SessionMaker, houses: list[House], entries: int) -> float:
    started = time.perf_counter()
    async with unit_of_work(sessionmaker) as session:
        sql = await raw.connection(session)
        await sql.execute(_FILL, entries, [h.id for h in houses], YEAR_START)
    async with unit_of_work(sessionmaker) as session:
        await (await raw.connection(session)).execute("ANALYZE ledger_entry")
    return time.perf_counter() - started


async def _median_ms(
    sessionmaker: SessionMaker, runs: int, report: Callable[[AsyncSession], Awaitable[Report]]
) -> tuple[float, int]:
    times = []
    rows = 0
    for _ in range(runs + 1):  # the first run warms the caches up, and is not counted
        async with sessionmaker() as session:
            started = time.perf_counter()
            result = await report(session)
            times.append((time.perf_counter() - started) * 1000)
            rows = len(result.rows)
    return statistics.median(times[1:]), rows


async def run(database_url: str, entries: int, runs: int) -> dict[str, Any]:
    engine = create_engine(database_url, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    admin = Principal(user_id=None, email=None, is_platform_admin=True)
    try:
        houses = await _houses(sessionmaker)
        fill_s = await _fill(sessionmaker, houses, entries)
        async with sessionmaker() as session:
            count = (await session.execute(text("SELECT count(*) FROM ledger_entry"))).scalar_one()
        house = houses[0].id
        end = reports.month_range(MONTH)[1]
        daily_ms, daily_rows = await _median_ms(
            sessionmaker,
            runs,
            lambda s: reports.daily_sales(
                s, admin, house, MONTH, end, "transaction", ["payment_method", "channel"]
            ),
        )
        by_show_ms, by_show_rows = await _median_ms(
            sessionmaker,
            runs,
            lambda s: reports.daily_sales(s, admin, house, MONTH, end, "performance", ["tariff"]),
        )
        vat_ms, vat_rows = await _median_ms(
            sessionmaker, runs, lambda s: reports.vat_summary(s, admin, house, MONTH)
        )
    finally:
        await engine.dispose()
    return {
        "entries": count,
        "houses": len(houses),
        "fill_s": round(fill_s, 1),
        "runs": runs,
        "daily_sales_ms": round(daily_ms, 1),
        "daily_sales_rows": daily_rows,
        "daily_sales_by_performance_ms": round(by_show_ms, 1),
        "daily_sales_by_performance_rows": by_show_rows,
        "vat_ms": round(vat_ms, 1),
        "vat_rows": vat_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="a throw-away database instead of a private one")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory(prefix="podium-bench-") as tmp:
        try:
            if args.database_url:
                database_url = args.database_url
            else:
                server, database_url = start_private_postgres(Path(tmp))
            upgrade(database_url)
            figures = asyncio.run(run(database_url, args.entries, args.runs))
        finally:
            if server is not None:
                server.cleanup()
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
