"""Done-when 3: a day of sales across the night clocks go forward in Brussels (29 March
2026, 02:00 -> 03:00) lands each sale on its Brussels business date, and its CSV and XLSX
exports, read back, add up to the JSON's totals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fixtures.support import Tenant
from fixtures.world import ok
from openpyxl import load_workbook

from ticketing import clock
from ticketing.tenancy.roles import Role

from .conftest import open_till, sell

# UTC moments, and the Brussels day each belongs to.
SALES = [
    (datetime(2026, 3, 28, 22, 30, tzinfo=UTC), date(2026, 3, 28), "STALLS/1/1"),  # 23:30 CET
    (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), date(2026, 3, 29), "STALLS/1/2"),  # 00:30 CET
    (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), date(2026, 3, 29), "STALLS/1/3"),  # 01:59 CET
    (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), date(2026, 3, 29), "STALLS/1/4"),  # 03:30 CEST
    (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), date(2026, 3, 29), "BALCONY/1/1"),  # 23:59 CEST
    (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), date(2026, 3, 30), "STALLS/2/1"),  # 00:30 CEST
]


def cents(text: str) -> int:
    """12,50 -> 1250 (the CSV's decimal comma)."""
    whole, _, rest = text.partition(",")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(rest or 0))


async def test_a_day_across_the_clock_change_exports_the_same_sums(
    client: httpx.AsyncClient, tenant: Tenant, performance: dict[str, Any]
) -> None:
    clock.set_clock(lambda: SALES[0][0])
    await open_till(client, tenant)
    orders = []
    for moment, _, seat in SALES:
        clock.set_clock(lambda moment=moment: moment)  # type: ignore[misc]
        orders.append(await sell(client, tenant, performance, [seat], "cash"))
    finance = tenant.staff[Role.FINANCE].headers
    path = f"/houses/{tenant.house.id}/reports/daily-sales"
    params = {"from": "2026-03-28", "to": "2026-03-30", "group_by": "tariff"}
    data = await ok(await client.get(path, headers=finance, params=params), 200)
    per_day: dict[str, int] = {}
    for row in data["rows"]:
        per_day[row["date"]] = per_day.get(row["date"], 0) + row["tickets"]
    assert per_day == {"2026-03-28": 1, "2026-03-29": 4, "2026-03-30": 1}
    expected: dict[str, int] = {}
    for order, (_, day, _) in zip(orders, SALES, strict=True):
        expected[day.isoformat()] = expected.get(day.isoformat(), 0) + order["total_cents"]
    gross = {}
    for row in data["rows"]:
        gross[row["date"]] = gross.get(row["date"], 0) + row["gross_cents"]
    assert gross == expected
    totals = data["totals"]
    assert totals["gross_cents"] == sum(o["total_cents"] for o in orders)
    labels = [c["label"] for c in data["columns"]]
    money = [c["key"] for c in data["columns"] if c["kind"] == "cents"]

    # CSV, named after the house and the day (today in Brussels): BOM, ';', a header of
    # the labels, a line per row, the totals last.
    exported = await client.get(path, headers=finance, params={**params, "format": "csv"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == (
        f'attachment; filename="daily-sales-{tenant.house.slug}-2026-03-30.csv"'
    )
    assert exported.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    header, *rows, last = lines
    assert header == labels
    assert len(rows) == len(data["rows"])
    assert [r[0] for r in rows] == [r["date"] for r in data["rows"]]
    assert last[0] == "Totaal"
    for key in money:
        at = [c["key"] for c in data["columns"]].index(key)
        assert sum(cents(r[at]) for r in rows) == totals[key]
        assert cents(last[at]) == totals[key]
    tickets_at = [c["key"] for c in data["columns"]].index("tickets")
    assert int(last[tickets_at]) == sum(int(r[tickets_at]) for r in rows) == totals["tickets"]
    assert "," in rows[0][[c["key"] for c in data["columns"]].index("gross_cents")]

    # XLSX: read back with openpyxl; euros are numbers, dates are dates.
    exported = await client.get(path, headers=finance, params={**params, "format": "xlsx"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert exported.headers["content-disposition"].endswith('2026-03-30.xlsx"')
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows())
    head, *body, end = cells
    assert [c.value for c in head] == labels
    assert all(c.font.bold for c in head)
    assert all(c.font.bold for c in end)
    assert [c.value.date() for c in (r[0] for r in body)] == [
        date.fromisoformat(r["date"]) for r in data["rows"]
    ]
    assert end[0].value == "Totaal"
    for key in money:
        at = [c["key"] for c in data["columns"]].index(key)
        assert "€" in body[0][at].number_format
        assert round(sum(r[at].value for r in body) * 100) == totals[key]
        assert round(end[at].value * 100) == totals[key]
    assert end[tickets_at].value == totals["tickets"]
