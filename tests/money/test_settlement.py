"""Settlement between the houses of a cluster, through the API: a month of cross-house
sales (each house's counter sells the other's performances, an online basket of one
house holds the other's tickets, a partial refund) gives a statement equal to the pairwise
nets computed here from the ledger rows; finalising twice is harmless; a final statement
never changes, and a refund booked after it lands in the next period's statement."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.money_support import counter_sale, online_order
from fixtures.stripe_app import on_localstripe
from fixtures.support import Tenant, app_runtime, assert_problem, make_tenant
from fixtures.world import ok
from litestar import Litestar
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.app import create_app
from ticketing.db.engine import SessionMaker
from ticketing.money.ledger import business_date
from ticketing.money.models import REVENUE_KINDS, LedgerEntry
from ticketing.settings import Settings
from ticketing.tenancy.roles import Role

COMMISSION_B = 750  # 7.5 % of B's revenue stays with the house that sold it


# The online orders of these tests are paid on localstripe: the app talks to it.
@pytest.fixture
def stripe_settings(settings: Settings, localstripe_url: str) -> Iterator[Settings]:
    with on_localstripe(settings, localstripe_url) as configured:
        yield configured


@pytest.fixture
def app(stripe_settings: Settings, sessionmaker: SessionMaker) -> Iterator[Litestar]:
    with app_runtime(create_app(stripe_settings, sessionmaker=sessionmaker)) as app:
        yield app


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://podium.test") as client:
        yield client


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(day: date) -> str:
    return f"{day.year + 1:04d}-01" if day.month == 12 else f"{day.year:04d}-{day.month + 1:02d}"


async def expected_lines(
    sessionmaker: SessionMaker, cluster_id: uuid.UUID, commission: dict[str, int], **where: Any
) -> dict[tuple[str, str], dict[str, int]]:
    """The pairwise sums computed here, from the ledger rows themselves."""
    async with sessionmaker() as session:
        stmt = select(LedgerEntry).where(
            LedgerEntry.cluster_id == cluster_id, col(LedgerEntry.kind).in_(REVENUE_KINDS)
        )
        if "after_id" in where:
            stmt = stmt.where(col(LedgerEntry.id) > where["after_id"])
        rows = (await session.exec(stmt)).all()
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"gross": 0, "n": 0})
    for row in rows:
        if row.holder_house_id != row.owner_house_id:
            key = (str(row.holder_house_id), str(row.owner_house_id))
            sums[key]["gross"] += row.gross_cents
            sums[key]["n"] += 1
    out = {}
    for (holder, owner), s in sums.items():
        rate = Decimal(commission.get(owner, 0)) / Decimal(10000)
        cut = int((abs(Decimal(s["gross"])) * rate).quantize(Decimal(1), ROUND_HALF_UP))
        cut = cut if s["gross"] >= 0 else -cut
        out[(holder, owner)] = {
            "entries": s["n"],
            "gross_cents": s["gross"],
            "commission_cents": cut,
            "owed_cents": s["gross"] - cut,
        }
    return out


def lines_of(statement: dict[str, Any]) -> dict[tuple[str, str], dict[str, int]]:
    return {
        (line["holder_house_id"], line["owner_house_id"]): {
            k: line[k] for k in ("entries", "gross_cents", "commission_cents", "owed_cents")
        }
        for line in statement["lines"]
    }


async def test_a_month_of_cross_house_sales_settles_to_the_ledgers_pairwise_nets(
    client: httpx.AsyncClient,
    db: AsyncSession,
    tenant: Tenant,
    stripe_settings: Settings,
    sessionmaker: SessionMaker,
) -> None:
    a = tenant
    b = await make_tenant(db, cluster=tenant.cluster)
    cluster_id = a.cluster.id
    admin = a.staff[Role.CLUSTER_ADMIN].headers
    # Only the cluster admin sets a house's commission; the house's own admin may not.
    refused = await client.patch(
        f"/houses/{b.house.id}",
        headers=b.staff[Role.HOUSE_ADMIN].headers,
        json={"commission_bp": 1},
    )
    assert_problem(refused, 403, "commission_bp")
    set_rate = await ok(
        await client.patch(
            f"/houses/{b.house.id}", headers=admin, json={"commission_bp": COMMISSION_B}
        ),
        200,
    )
    assert set_rate["commission_bp"] == COMMISSION_B

    show_a = await put_on_sale(client, a, MIXED_SPEC, {"A": 3000, "B": 2000, "S": 1500})
    show_b = await put_on_sale(client, b, MIXED_SPEC, {"A": 2333, "B": 1800, "S": 1100})
    # A's box office sells B's performance; B's counter sells A's.
    a_sells_b = await counter_sale(client, a, show_b, seats=["STALLS/1/1", "STALLS/1/2"])
    b_sells_a = await counter_sale(
        client, b, show_a, seats=["BALCONY/1/1"], standing=[{"area": "FLOOR", "quantity": 1}]
    )
    assert {t["house_id"] for t in a_sells_b["tickets"]} == {str(b.house.id)}
    # An online basket of house A holding one of B's tickets too.
    online = await online_order(
        client,
        stripe_settings,
        sessionmaker,
        [
            {"performance_id": show_a["id"], "seats": ["STALLS/2/1"]},
            {"performance_id": show_b["id"], "standing": [{"area": "FLOOR", "quantity": 2}]},
        ],
    )
    assert online["house_id"] == str(a.house.id)
    # A partial refund: A's counter takes back one of B's seats it sold.
    refunded = await ok(
        await client.post(
            f"/orders/{a_sells_b['id']}/cancel",
            headers=a.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [a_sells_b["tickets"][0]["id"]], "refund_method": "cash"},
        ),
        200,
    )
    assert refunded["refunded_cents"] == 2333

    today = business_date(clock.now())
    month = month_of(today)
    made = await client.post(
        f"/clusters/{cluster_id}/settlements", headers=admin, json={"month": month}
    )
    assert made.status_code == 201, made.text
    draft = made.json()
    assert draft["status"] == "draft"
    assert draft["period_start"] == f"{month}-01"
    commission = {str(b.house.id): COMMISSION_B}
    expected = await expected_lines(sessionmaker, cluster_id, commission)
    assert lines_of(draft) == expected
    a_id, b_id = str(a.house.id), str(b.house.id)
    # Independently of the ledger too: A holds 2333 (one seat kept) + 2 x 1100 online of
    # B's, less 7.5 %; B holds 2000 + 1500 of A's, no commission.
    assert expected[(a_id, b_id)]["gross_cents"] == 2333 + 2200
    assert expected[(a_id, b_id)]["commission_cents"] == 340  # 4533 * 0.075 = 339.975
    assert expected[(b_id, a_id)] == {
        "entries": 2,
        "gross_cents": 3500,
        "commission_cents": 0,
        "owed_cents": 3500,
    }
    [net] = draft["nets"]
    a_owes_b = expected[(a_id, b_id)]["owed_cents"]
    assert {net["house_a_id"], net["house_b_id"]} == {a_id, b_id}
    assert net["net_cents"] == abs(a_owes_b - 3500)
    assert net["payer_house_id"] == (a_id if a_owes_b > 3500 else b_id)
    assert draft["totals"]["owed_cents"] == a_owes_b + 3500

    # Posting the same month again recomputes the draft (200, the same statement).
    again = await ok(
        await client.post(
            f"/clusters/{cluster_id}/settlements", headers=admin, json={"month": month}
        ),
        200,
    )
    assert again["id"] == draft["id"]
    assert lines_of(again) == expected
    url = f"/clusters/{cluster_id}/settlements/{draft['id']}"
    # CSV for Belgian spreadsheets.
    csv = await client.get(f"{url}/lines.csv", headers=admin)
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("Holds the money;Owes it to;")

    final = await ok(await client.post(f"{url}/finalise", headers=admin), 200)
    assert final["status"] == "final"
    assert final["finalised_at"] is not None
    assert final["finalised_by_id"] == str(a.staff[Role.CLUSTER_ADMIN].user.id)
    twice = await ok(await client.post(f"{url}/finalise", headers=admin), 200)
    assert twice == final  # harmless: the same statement, nothing changed
    # A final statement never changes.
    recompute = await client.post(
        f"/clusters/{cluster_id}/settlements", headers=admin, json={"month": month}
    )
    assert_problem(recompute, 409, "period_start")
    assert_problem(await client.post(f"{url}/refresh", headers=admin), 409)
    overlapping = await client.post(
        f"/clusters/{cluster_id}/settlements",
        headers=admin,
        json={"period_start": f"{month}-02", "period_end": f"{next_month(today)}-05"},
    )
    assert_problem(overlapping, 409, "period_start")

    # A refund booked after finalising: B's counter takes back A's standing place.
    standing = next(t for t in b_sells_a["tickets"] if t["price_cents"] == 1500)
    await ok(
        await client.post(
            f"/orders/{b_sells_a['id']}/cancel",
            headers=b.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [standing["id"]], "refund_method": "cash"},
        ),
        200,
    )
    still = await ok(await client.get(url, headers=admin), 200)
    assert still == final
    later = await client.post(
        f"/clusters/{cluster_id}/settlements", headers=admin, json={"month": next_month(today)}
    )
    assert later.status_code == 201, later.text
    statement = later.json()
    assert statement["after_entry_id"] == final["through_entry_id"]
    late = await expected_lines(
        sessionmaker, cluster_id, commission, after_id=final["through_entry_id"]
    )
    assert (
        lines_of(statement)
        == late
        == {
            (b_id, a_id): {
                "entries": 1,
                "gross_cents": -1500,
                "commission_cents": 0,
                "owed_cents": -1500,
            }
        }
    )
    listed = await ok(await client.get(f"/clusters/{cluster_id}/settlements", headers=admin), 200)
    assert [(s["id"], s["status"]) for s in listed] == [
        (statement["id"], "draft"),
        (final["id"], "final"),
    ]


async def test_only_the_cluster_admin_settles(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    path = f"/clusters/{tenant.cluster.id}/settlements"
    body = {"month": "2026-03"}
    # The house's own roles may see the cluster, not settle it.
    for role in (Role.HOUSE_ADMIN, Role.FINANCE, Role.BOX_OFFICE):
        assert_problem(await client.post(path, headers=tenant.staff[role].headers, json=body), 403)
    # Another cluster's admin does not even see it.
    stranger = other_tenant.staff[Role.CLUSTER_ADMIN].headers
    assert_problem(await client.get(path, headers=stranger), 404)
    admin = tenant.staff[Role.CLUSTER_ADMIN].headers
    assert_problem(await client.post(path, headers=admin, json={"month": "2026-13"}), 422, "month")
    backwards = {"period_start": "2026-03-10", "period_end": "2026-03-01"}
    assert_problem(await client.post(path, headers=admin, json=backwards), 422, "period_end")
    empty = await ok(await client.post(path, headers=admin, json=body))
    assert empty["lines"] == []
    assert empty["nets"] == []
    assert empty["period_end"] == "2026-03-31"
