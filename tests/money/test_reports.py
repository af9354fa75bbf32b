"""The finance reports through the API: daily sales by transaction and by performance
date with groupings, the VAT summary, per performance, the payment mix, a performance's
sales day by day, the cluster's view, and who may read them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import httpx
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem, make_tenant
from fixtures.world import ok
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.money.vat import split
from ticketing.tenancy.roles import Role

from .conftest import PRICES, open_till, report, sell

CAPACITY = 3 * 8 + 6 + 10  # MIXED_SPEC: stalls, balcony, standing floor


def today() -> date:
    return clock.local(clock.now()).date()


def day_of(performance: dict[str, Any]) -> date:
    return clock.local(datetime.fromisoformat(performance["starts_at"])).date()


def amounts(gross: int) -> dict[str, int]:
    vat, net = split(gross, 600)
    return {"gross_cents": gross, "vat_cents": vat, "net_cents": net}


async def _sales(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> list[dict[str, Any]]:
    """Two seats cash (one at -26), one by card, one free ticket."""
    await open_till(client, tenant)
    return [
        await sell(client, tenant, performance, ["STALLS/1/1"], "cash"),
        await sell(client, tenant, performance, ["STALLS/1/2"], "cash", tariff="U26"),
        await sell(client, tenant, performance, ["BALCONY/1/1"], "card_terminal"),
        await sell(client, tenant, performance, ["STALLS/3/8"], "cash", tariff="VRIJ"),
    ]


async def test_daily_sales_by_transaction_and_by_performance_date(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    orders = await _sales(client, tenant, performance)
    finance = tenant.staff[Role.FINANCE].headers
    path = f"/houses/{tenant.house.id}/reports/daily-sales"
    day = today().isoformat()
    by_method = await report(
        client, finance, path, **{"from": day, "to": day, "group_by": "payment_method,tariff"}
    )
    assert [c["key"] for c in by_method["columns"]] == [
        "date",
        "payment_method",
        "tariff",
        "tickets",
        "gross_cents",
        "vat_cents",
        "net_cents",
    ]
    assert [c["kind"] for c in by_method["columns"]][-4:] == ["count", "cents", "cents", "cents"]
    lines = {(r["payment_method"], r["tariff"]): r for r in by_method["rows"]}
    assert {r["date"] for r in by_method["rows"]} == {day}
    standard = orders[2]["tickets"][0]["tariff_code"] or ""
    assert lines[("card_terminal", standard)]["gross_cents"] == PRICES["B"]
    assert lines[("cash", "U26")] == {
        "date": day,
        "payment_method": "cash",
        "tariff": "U26",
        "tickets": 1,
        **amounts(2250),
    }
    # A free ticket took no money: no payment method.
    assert lines[("", "VRIJ")]["tickets"] == 1
    assert lines[("", "VRIJ")]["gross_cents"] == 0
    # The totals are the sums of the lines, and of what the orders cost (fees included).
    totals = by_method["totals"]
    assert totals["tickets"] == 4
    assert totals["gross_cents"] == sum(o["total_cents"] for o in orders)
    assert totals["gross_cents"] == sum(r["gross_cents"] for r in by_method["rows"])
    assert totals["vat_cents"] + totals["net_cents"] == totals["gross_cents"]

    # By performance date: the same tickets, on the performance's day, named.
    by_show = await report(
        client,
        finance,
        path,
        **{
            "from": day_of(performance).isoformat(),
            "to": day_of(performance).isoformat(),
            "basis": "performance",
            "group_by": "performance,channel,clerk",
        },
    )
    (row,) = by_show["rows"]
    assert row["date"] == day_of(performance).isoformat()
    assert row["performance"].startswith("Te koop ")
    assert row["channel"] == "counter"
    assert row["clerk"] == tenant.staff[Role.BOX_OFFICE].user.name
    assert row["tickets"] == 4
    assert row["gross_cents"] == PRICES["A"] + 2250 + PRICES["B"]
    # Nothing was sold on the performance's day, nor played today.
    assert (
        await report(client, finance, path, **{"from": day, "to": day, "basis": "performance"})
    )["rows"] == []


async def test_vat_summary_of_the_month(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    orders = await _sales(client, tenant, performance)
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    month = today().strftime("%Y-%m")
    vat = await report(client, admin, f"/houses/{tenant.house.id}/reports/vat", month=month)
    rates = {r["vat_rate_bp"]: r for r in vat["rows"]}
    assert rates[600]["tickets"] == 4
    tickets_gross = PRICES["A"] + 2250 + PRICES["B"]
    assert rates[600]["gross_cents"] == tickets_gross
    # VAT per line, then summed: the rate's VAT is the sum of the tickets' VAT.
    assert rates[600]["vat_cents"] == sum(split(g, 600)[0] for g in (3000, 2250, 2000, 0))
    assert vat["totals"]["gross_cents"] == sum(o["total_cents"] for o in orders)
    assert vat["columns"][0]["kind"] == "rate"
    earlier = (today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    none = await report(client, admin, f"/houses/{tenant.house.id}/reports/vat", month=earlier)
    assert none["rows"] == []
    assert none["totals"]["gross_cents"] == 0


async def test_per_performance_sold_comp_refunded_reserved_capacity(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    orders = await _sales(client, tenant, performance)
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    first = orders[0]
    await ok(
        await client.post(
            f"/orders/{first['id']}/cancel", headers=clerk, json={"refund_method": "cash"}
        ),
        200,
    )
    until = (clock.now() + timedelta(hours=5)).isoformat()
    await sell(client, tenant, performance, ["STALLS/2/1", "STALLS/2/2"], reserve_until=until)
    day = day_of(performance).isoformat()
    shows = await report(
        client,
        tenant.staff[Role.FINANCE].headers,
        f"/houses/{tenant.house.id}/reports/performances",
        **{"from": day, "to": day},
    )
    (row,) = shows["rows"]
    assert row["performance"].startswith("Te koop ")
    assert row["starts_at"] in row["performance"]
    assert {k: row[k] for k in ("sold", "comp", "refunded", "reserved", "capacity")} == {
        "sold": 2,
        "comp": 1,
        "refunded": 1,
        "reserved": 2,
        "capacity": CAPACITY,
    }
    assert row["revenue_cents"] == 2250 + PRICES["B"]


async def test_payment_mix_and_a_performances_sales_day_by_day(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    orders = await _sales(client, tenant, performance)
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    await ok(
        await client.post(
            f"/orders/{orders[1]['id']}/cancel", headers=clerk, json={"refund_method": "cash"}
        ),
        200,
    )
    day = today().isoformat()
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    mix = await report(
        client, admin, f"/houses/{tenant.house.id}/reports/payments", **{"from": day, "to": day}
    )
    methods = {r["payment_method"]: r for r in mix["rows"]}
    cash_taken = orders[0]["paid_cents"] + orders[1]["paid_cents"]
    assert methods["cash"] == {
        "payment_method": "cash",
        "payments": 2,  # the free ticket took no money
        "taken_cents": cash_taken,
        "refunded_cents": orders[1]["paid_cents"],
        "net_cents": orders[0]["paid_cents"],
    }
    assert methods["card_terminal"]["taken_cents"] == orders[2]["paid_cents"]
    assert mix["totals"]["net_cents"] == orders[0]["paid_cents"] + orders[2]["paid_cents"]

    cumulative = await report(
        client, admin, f"/performances/{performance['id']}/reports/cumulative"
    )
    (row,) = cumulative["rows"]
    assert row == {
        "date": day,
        "tickets": 3,
        "cumulative": 3,
        "capacity": CAPACITY,
        "gross_cents": PRICES["A"] + PRICES["B"],
    }
    kinds = {c["key"]: c["kind"] for c in cumulative["columns"]}
    assert kinds["cumulative"] == kinds["capacity"] == "running"
    assert set(cumulative["totals"]) == {"tickets", "gross_cents"}


async def test_the_cluster_view_has_every_house(
    client: httpx.AsyncClient, db: AsyncSession, tenant: Tenant, performance: dict[str, Any]
) -> None:
    neighbour = await make_tenant(db, cluster=tenant.cluster)
    theirs = await put_on_sale(client, neighbour, MIXED_SPEC, PRICES)
    await open_till(client, tenant)
    await open_till(client, neighbour)
    await sell(client, tenant, performance, ["STALLS/1/1"])
    await sell(client, neighbour, theirs, ["BALCONY/1/1", "BALCONY/1/2"])
    day = today().isoformat()
    path = f"/clusters/{tenant.cluster.id}/reports/daily-sales"
    view = await report(
        client,
        tenant.staff[Role.CLUSTER_ADMIN].headers,
        path,
        **{"from": day, "to": day, "group_by": "channel"},
    )
    assert [c["key"] for c in view["columns"]][:3] == ["date", "house", "channel"]
    assert {r["house"] for r in view["rows"]} == {tenant.house.name, neighbour.house.name}
    assert sorted((r["tickets"], r["gross_cents"]) for r in view["rows"]) == [
        (1, PRICES["A"]),
        (2, 2 * PRICES["B"]),
    ]
    # A house's own report has only its own sales.
    own = await report(
        client,
        neighbour.staff[Role.FINANCE].headers,
        f"/houses/{neighbour.house.id}/reports/daily-sales",
        **{"from": day, "to": day},
    )
    assert own["totals"]["gross_cents"] == 2 * PRICES["B"]
    # The cluster's view is for its cluster admins only.
    for role in (Role.HOUSE_ADMIN, Role.FINANCE, Role.BOX_OFFICE):
        assert_problem(await client.get(path, headers=tenant.staff[role].headers), 403)


async def test_who_may_read_the_reports(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    performance: dict[str, Any],
) -> None:
    house = f"/houses/{tenant.house.id}/reports"
    paths = [
        f"{house}/daily-sales",
        f"{house}/vat",
        f"{house}/performances",
        f"{house}/payments",
        f"/performances/{performance['id']}/reports/cumulative",
    ]
    for path in paths:
        for role in (Role.HOUSE_ADMIN, Role.FINANCE, Role.CLUSTER_ADMIN):
            await ok(await client.get(path, headers=tenant.staff[role].headers), 200)
        for role in (Role.BOX_OFFICE, Role.SCANNER):
            refused = assert_problem(
                await client.get(path, headers=tenant.staff[role].headers), 403
            )
            assert "finance" in refused["detail"]
        # Another tenant's house does not exist for them, whatever their role.
        for role in (Role.HOUSE_ADMIN, Role.FINANCE, Role.CLUSTER_ADMIN):
            assert_problem(await client.get(path, headers=other_tenant.staff[role].headers), 404)
    cluster = f"/clusters/{tenant.cluster.id}/reports/daily-sales"
    assert_problem(
        await client.get(cluster, headers=other_tenant.staff[Role.CLUSTER_ADMIN].headers), 404
    )


async def test_bad_input_names_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    path = f"/houses/{tenant.house.id}/reports/daily-sales"
    cases: list[tuple[dict[str, str], int, str]] = [
        ({"from": "2026-03-02", "to": "2026-03-01"}, 422, "from"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, 422, "from"),
        ({"group_by": "performance,colour"}, 422, "group_by"),
        ({"group_by": "tariff,tariff"}, 422, "group_by"),
        ({"basis": "delivery"}, 400, "basis"),
        ({"format": "pdf"}, 400, "format"),
        ({"from": "28/03/2026"}, 422, "from"),
        ({"to": "2026-02-30"}, 422, "to"),
        ({"to": "9999-12-31"}, 422, "to"),
    ]
    for params, status, field in cases:
        assert_problem(await client.get(path, headers=admin, params=params), status, field)
    vat = f"/houses/{tenant.house.id}/reports/vat"
    for month in ("2026-13", "2026-3", "march", "0001-01"):
        assert_problem(await client.get(vat, headers=admin, params={"month": month}), 422, "month")
