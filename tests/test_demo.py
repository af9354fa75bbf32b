"""The demo: its data, and the one-command launcher (API processes, worker, docs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fixtures.databases import create_database, drop_database
from sqlalchemy import func
from sqlmodel import col, select

from ticketing import clock
from ticketing.checkin import scanning
from ticketing.db.engine import SessionMaker
from ticketing.demo.seed import DEMO_PASSWORD, demo_logins, demo_scanners, seed_demo
from ticketing.events.models import Performance, PerformanceStatus
from ticketing.money.models import EntryKind, LedgerEntry
from ticketing.seatmaps.layout import LayoutDocument, SeatFlag
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.tenancy.models import Cluster, House, StaffUser

ROOT = Path(__file__).resolve().parent.parent


async def test_demo_data_of_three_clusters(sessionmaker: SessionMaker) -> None:
    summary = await seed_demo(sessionmaker)
    assert summary.created
    assert summary.clusters == 3
    assert summary.houses >= 9
    assert summary.performances >= 30
    async with sessionmaker() as s:
        clusters = (await s.exec(select(Cluster).where(col(Cluster.is_demo).is_(True)))).all()
        assert {c.slug for c in clusters} == {"gent", "zuidwest", "zender"}
        assert all("(demo)" in c.name for c in clusters)
        houses = (await s.exec(select(House).where(col(House.is_demo).is_(True)))).all()
        assert len(houses) >= 9
        assert all(h.is_demo for h in houses)
        on_sale = (
            await s.exec(
                select(func.count())
                .select_from(Performance)
                .where(Performance.status == PerformanceStatus.ON_SALE)
            )
        ).one()
        assert on_sale >= 30
        layouts = (await s.exec(select(SeatMapLayout))).all()
        by_size = {(la.seat_count, la.standing_capacity) for la in layouts}
        assert {(600, 0), (250, 0), (0, 1200)} <= by_size
        theatre = LayoutDocument.model_validate(
            next(la.document for la in layouts if la.seat_count == 600)
        )
        flags = [f for _, _, _, seat in theatre.iter_seats() for f in seat.flags]
        assert flags.count(SeatFlag.WHEELCHAIR) >= 4
        assert flags.count(SeatFlag.COMPANION) >= 4
        assert {"STALLS", "BALCONY"} <= {section.code for section in theatre.sections}
        emails = set((await s.exec(select(StaffUser.email))).all())
        assert {login.email for login in demo_logins()} <= emails
        # Every house with staff has a door device for all its performances.
        for house_name, token in demo_scanners():
            device = await scanning.device_for_token(s, token)
            assert device is not None, house_name
            shows = (
                await s.exec(select(Performance.id).where(Performance.house_id == device.house_id))
            ).all()
            assert device.performance_ids == frozenset(shows)
            assert shows
        # The last days' sales, in the ledger for the reports: counter and online, a
        # refund, a neighbour's tickets sold at a counter, every day of the last five.
        entries = (await s.exec(select(LedgerEntry))).all()  # type: ignore[call-overload]
        today = clock.local(clock.now()).date()
        sales = [e for e in entries if e.kind == EntryKind.SALE]
        assert {e.business_date for e in sales} == {today - timedelta(days=n) for n in range(1, 6)}
        assert {e.channel for e in sales} >= {"online", "counter", "phone"}
        assert {e.payment_method for e in sales} >= {"cash", "card_terminal", "online"}
        assert any(e.owner_house_id != e.seller_house_id for e in sales)
        assert [e.kind for e in entries].count(EntryKind.REFUND) == summary.clusters
        assert any(e.kind == EntryKind.TILL_DIFFERENCE for e in entries)
        assert summary.orders >= 30
    assert (await seed_demo(sessionmaker)).created is False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_demo_check(env: dict[str, str]) -> str:
    """`podium demo --check` as a newcomer runs it; its output, once every check passed."""
    result = subprocess.run(
        [sys.executable, "-m", "ticketing.cli", "demo", "--check", "--port", str(_free_port())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "DEMO DATA" in out
    assert DEMO_PASSWORD in out
    assert "{'worker': 'ok', 'database': 'ok'}" in out
    # The worker knows every task its beat sends, and nothing stopped after answering.
    assert "scheduled tasks it lacks: none" in out
    assert "processes stopped: none" in out
    for page in (
        "/schema 200",
        "/schema/swagger 200",
        "/schema/openapi.json 200",
        "standalone.js 200",
        "/shop/clusters/gent 200",
        "/box-office 200",
        "/admin/seatmaps 200",
        "/widget.js 200",
    ):
        assert page in out
    assert "demo login 200" in out
    assert "test mode" in out  # no Stripe keys: payments on the Stripe test server
    programme = next(line for line in out.splitlines() if "gent programme" in line)
    assert int(programme.split(": ")[2].split()[0]) > 0
    assert "Traceback" not in result.stderr, result.stderr
    return out


# Both tests are first starts from an empty data folder: the worker, its beat and the API
# begin on a broker database without tables. They raced to create them and the worker
# died on one first start in two.


@pytest.mark.slow
def test_demo_command_starts_everything(server_url: str, tmp_path: Path) -> None:
    """With a database configured (a fresh one, and an empty broker database)."""
    database = create_database(server_url, prefix="podium_demo")
    broker = create_database(server_url, prefix="podium_demo_broker")
    from sqlalchemy.engine import make_url

    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env.update(
        TICKETING_DATABASE_URL=database,
        TICKETING_CELERY__BROKER_DATABASE=make_url(broker).database or "",
        TICKETING_DATA_DIR=str(tmp_path),
    )
    try:
        run_demo_check(env)
    finally:
        drop_database(database)
        drop_database(broker)


@pytest.mark.slow
def test_demo_check_from_an_empty_data_folder(tmp_path: Path) -> None:
    """With nothing configured: a private PostgreSQL made in the empty folder, and the SQL
    broker on it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TICKETING_")}
    env["TICKETING_DATA_DIR"] = str(tmp_path)
    out = run_demo_check(env)
    assert f"private PostgreSQL in {tmp_path / 'pg'}" in out
