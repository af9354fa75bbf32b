"""Issuing benchmark: one worker process issues a batch of 1,000 paid tickets.

    python bench/issue.py                  # private PostgreSQL, demo data, 1,000 tickets
    python bench/issue.py --tickets 5000
    python bench/issue.py --database-url postgresql://...   # this database (migrated,
                                                             # demo data added if missing)

The batch is paid orders of 1 to 4 tickets (419 orders for 1,000 tickets) on the demo's
performances, each with its `tickets.issue` outbox message, as a sale leaves them. The
worker then carries out the messages with the code the Celery task runs
(`outbox.process_all`, one process, one message at a time): it signs every ticket (QR
payload, Ed25519) and, for every order, renders the A4 PDF with its QR codes and mails it
to an SMTP server on loopback (aiosmtpd in a process of its own, which accepts and drops
it, as a mail server beside the worker would). The clock runs from the first message to
the last mail accepted.

The last line holds the figures as key=value pairs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
# The sale's after-commit task publishing has no broker to reach here (the benchmark
# carries out the messages itself).
os.environ.setdefault("TICKETING_CELERY__BROKER_URL", "memory://")

from platform_support import free_port, paid_orders  # noqa: E402
from sqlalchemy import text  # noqa: E402

import ticketing.handlers  # noqa: E402, F401 - registers the outbox topics
from ticketing.core import keyring, outbox  # noqa: E402
from ticketing.db.engine import create_engine, create_sessionmaker  # noqa: E402
from ticketing.db.migrate import upgrade  # noqa: E402
from ticketing.db.private import start_private_postgres  # noqa: E402
from ticketing.demo.seed import seed_demo  # noqa: E402
from ticketing.settings import TicketSettings  # noqa: E402

SECRET = "bench-" + "s" * 40


_PERFORMANCES = text(
    """
    SELECT p.id, p.house_id, p.cluster_id, h.order_code_prefix
    FROM performance p JOIN house h ON h.id = p.house_id
    WHERE p.status = 'on_sale' ORDER BY p.starts_at LIMIT 20
    """
)


def _smtp_sink(port: int) -> subprocess.Popen[bytes]:
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
         "aiosmtpd.handlers.Sink"],
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            if time.monotonic() > deadline or sink.poll() is not None:
                sink.kill()
                raise RuntimeError("the SMTP sink did not start") from None
            time.sleep(0.1)


async def run(database_url: str, tickets: int) -> dict[str, Any]:
    port = free_port()
    smtp = _smtp_sink(port)
    keyring.configure(
        TicketSettings(secret_key=SECRET, smtp_host="127.0.0.1", smtp_port=port),
        "http://127.0.0.1:8000",
    )
    engine = create_engine(database_url, pool_size=4)
    sessionmaker = create_sessionmaker(engine)
    try:
        await seed_demo(sessionmaker)
        async with sessionmaker() as session:
            performances = (await (await session.connection()).execute(_PERFORMANCES)).all()
        orders = await paid_orders(sessionmaker, list(performances), tickets, random.Random(7))
        started = time.perf_counter()
        done = await outbox.process_all(sessionmaker, orders)
        mails = await outbox.due(sessionmaker, limit=len(orders) + 1)
        done += await outbox.process_all(sessionmaker, mails)
        seconds = time.perf_counter() - started
        async with sessionmaker() as session:
            connection = await session.connection()
            issued = (
                await connection.execute(text("SELECT count(*) FROM ticket WHERE qr IS NOT NULL"))
            ).scalar_one()
            mailed = (
                await connection.execute(
                    text("SELECT count(*) FROM order_event WHERE kind = 'tickets_mailed'")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
        smtp.terminate()
        smtp.wait(10)
    return {
        "tickets": issued,
        "orders": len(orders),
        "mails": mailed,
        "messages": done,
        "seconds": round(seconds, 2),
        "tickets_per_s": round(issued / seconds, 1),
        "orders_per_s": round(len(orders) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--database-url", help="a server to use instead of a private one")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory(prefix="podium-bench-") as tmp:
        try:
            if args.database_url:
                database_url = args.database_url
            else:
                server, database_url = start_private_postgres(Path(tmp))
            upgrade(database_url)
            figures = asyncio.run(run(database_url, args.tickets))
        finally:
            if server is not None:
                server.cleanup()
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
