"""The finance reports, read only from the ledger and shaped as `Report`s (served as JSON,
CSV and XLSX by the controllers, drawn as charts by the admin pages).

Who reads them: a house's admins and finance officers, and the cluster's admins (for every
house of the cluster; the cluster view is theirs alone). Another tenant's house is a 404,
a box office clerk or a scanner of the house a 403.

Daily sales by performance date count the tickets of the performances held on those days;
the order fees belong to no performance and are left out there (they are in the report by
transaction date, on the day they were taken)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import InvalidInput
from ticketing.inventory.layouts import layout_index
from ticketing.money import repository as repo
from ticketing.money.tables import Column, ColumnKind, Report
from ticketing.tenancy.principal import Principal

BASES = ("transaction", "performance")
GROUPS = tuple(repo.GROUP_COLUMNS)
MAX_DAYS = 366

GROUP_LABELS = {
    "house": "Huis",
    "performance": "Voorstelling",
    "tariff": "Tarief",
    "payment_method": "Betaalwijze",
    "channel": "Kanaal",
    "clerk": "Kassier",
}
AMOUNTS = [
    Column("tickets", "Tickets", ColumnKind.COUNT),
    Column("gross_cents", "Bruto", ColumnKind.CENTS),
    Column("vat_cents", "Btw", ColumnKind.CENTS),
    Column("net_cents", "Netto", ColumnKind.CENTS),
]


def check_range(start: date, end: date, *, field: str = "query.from") -> None:
    if start > end:
        raise InvalidInput.field(field, "The first day comes after the last day.")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput.field(field, f"A report covers at most {MAX_DAYS} days.")


def check_groups(basis: str, group_by: Sequence[str] | None) -> list[str]:
    if basis not in BASES:
        raise InvalidInput.field("query.basis", f"Report by {' or '.join(BASES)} date.")
    groups = list(group_by or [])
    for g in groups:
        if g not in GROUPS:
            raise InvalidInput.field("query.group_by", f"Group by any of {', '.join(GROUPS)}.")
    if len(set(groups)) != len(groups):
        raise InvalidInput.field("query.group_by", "Each grouping once.")
    return groups


def performance_label(title: dict[str, str], starts_at: datetime) -> str:
    name = title.get("nl") or next(iter(title.values()), "")
    return f"{name} {starts_text(starts_at)}"


def starts_text(starts_at: datetime) -> str:
    return clock.local(starts_at).strftime("%Y-%m-%d %H:%M")


def _int(value: Any) -> int:
    return int(value or 0)


async def _labels(
    session: AsyncSession, rows: Sequence[Any], groups: Sequence[str]
) -> tuple[dict[Any, str], dict[Any, str]]:
    performances: dict[Any, str] = {}
    clerks: dict[Any, str] = {}
    if "performance" in groups:
        ids = sorted({r["performance"] for r in rows if r["performance"] is not None})
        found = await repo.performance_labels(session, ids)
        performances = {pid: performance_label(*found[pid]) for pid in found}
    if "clerk" in groups:
        ids = sorted({r["clerk"] for r in rows if r["clerk"] is not None})
        clerks = dict(await repo.staff_names(session, ids))
    return performances, clerks


async def _daily_rows(
    session: AsyncSession,
    houses: dict[uuid.UUID, str],
    start: date,
    end: date,
    basis: str,
    groups: list[str],
    with_house: bool,
) -> list[dict[str, object]]:
    rows = await repo.daily_sales(session, list(houses), start, end, basis, groups)
    performances, clerks = await _labels(session, rows, groups)
    shaped: list[dict[str, object]] = []
    for r in rows:
        row: dict[str, object] = {"date": r["date"]}
        if with_house:
            row["house"] = houses[r["owner_house_id"]]
        for g in groups:
            value = r[g]
            if g == "performance":
                value = performances.get(value, "") if value is not None else ""
            elif g == "clerk":
                value = clerks.get(value, "") if value is not None else ""
            row[g] = value or ""
        for c in AMOUNTS:
            row[c.key] = _int(r[c.key])
        shaped.append(row)
    keys = ["date", "house", *groups] if with_house else ["date", *groups]
    shaped.sort(key=lambda row: tuple(str(row.get(k, "")) for k in keys))
    return shaped


def _daily_columns(groups: Iterable[str]) -> list[Column]:
    return [
        Column("date", "Datum", ColumnKind.DATE),
        *(Column(g, GROUP_LABELS[g], ColumnKind.TEXT) for g in groups),
        *AMOUNTS,
    ]


async def daily_sales(
    session: AsyncSession,
    principal: Principal,
    house_id: uuid.UUID,
    start: date,
    end: date,
    basis: str = "transaction",
    group_by: list[str] | None = None,
) -> Report:
    """Revenue of the house per day (by transaction or performance date) and group."""
    house = await repo.reportable_house(session, principal, house_id)
    groups = check_groups(basis, group_by)
    check_range(start, end)
    rows = await _daily_rows(session, {house.id: house.name}, start, end, basis, groups, False)
    by = "voorstellingsdatum" if basis == "performance" else "transactiedatum"
    return Report(
        name=f"daily-sales-{house.slug}",
        title=f"Dagverkoop {house.name} per {by}, {start.isoformat()} tot {end.isoformat()}",
        columns=_daily_columns(groups),
        rows=rows,
    )


async def cluster_daily_sales(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    start: date,
    end: date,
    basis: str = "transaction",
    group_by: list[str] | None = None,
) -> Report:
    """Daily sales of every house of the cluster, a house per row (cluster admins)."""
    cluster, houses = await repo.reportable_cluster(session, principal, cluster_id)
    groups = check_groups(basis, group_by)
    check_range(start, end)
    names = {h.id: h.name for h in houses}
    rows = await _daily_rows(session, names, start, end, basis, groups, True)
    columns = _daily_columns(groups)
    columns.insert(1, Column("house", GROUP_LABELS["house"], ColumnKind.TEXT))
    return Report(
        name=f"daily-sales-{cluster.slug}",
        title=f"Dagverkoop {cluster.name}, {start.isoformat()} tot {end.isoformat()}",
        columns=columns,
        rows=rows,
    )


def month_range(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


async def vat_summary(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, month: date
) -> Report:
    """The house's revenue of a calendar month (by transaction date) per VAT rate."""
    house = await repo.reportable_house(session, principal, house_id)
    start, end = month_range(month)
    rows = await repo.vat_summary(session, house.id, start, end)
    return Report(
        name=f"vat-{house.slug}",
        title=f"Btw-overzicht {house.name}, {start:%Y-%m}",
        columns=[Column("vat_rate_bp", "Btw-tarief", ColumnKind.RATE), *AMOUNTS],
        rows=[
            {"vat_rate_bp": r["vat_rate_bp"], **{c.key: _int(r[c.key]) for c in AMOUNTS}}
            for r in rows
        ],
    )


async def performance_sales(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, start: date, end: date
) -> Report:
    """Per performance of the house held in the range: sold, comps, back, reserved,
    places and revenue."""
    house = await repo.reportable_house(session, principal, house_id)
    check_range(start, end)
    performances = await repo.performances_between(session, house.id, start, end)
    ids = [p["id"] for p in performances]
    sums = await repo.performance_sales(session, house.id, ids)
    held = await repo.reserved(session, ids, clock.now())
    rows: list[dict[str, object]] = []
    for p in performances:
        s = sums.get(p["id"])
        index = await layout_index(session, p["layout_id"])
        rows.append(
            {
                "performance": performance_label(p["title"], p["starts_at"]),
                "starts_at": starts_text(p["starts_at"]),
                "sold": _int(s and s["sold"]),
                "comp": _int(s and s["comp"]),
                "refunded": _int(s and s["refunded"]),
                "reserved": held.get(p["id"], 0),
                "capacity": index.sellable,
                "revenue_cents": _int(s and s["revenue_cents"]),
            }
        )
    return Report(
        name=f"performances-{house.slug}",
        title=f"Verkoop per voorstelling {house.name}, {start.isoformat()} tot {end.isoformat()}",
        columns=[
            Column("performance", "Voorstelling", ColumnKind.TEXT),
            Column("starts_at", "Aanvang", ColumnKind.TEXT),
            Column("sold", "Verkocht", ColumnKind.COUNT),
            Column("comp", "Vrijkaarten", ColumnKind.COUNT),
            Column("refunded", "Terugbetaald", ColumnKind.COUNT),
            Column("reserved", "Gereserveerd", ColumnKind.COUNT),
            Column("capacity", "Capaciteit", ColumnKind.COUNT),
            Column("revenue_cents", "Omzet", ColumnKind.CENTS),
        ],
        rows=rows,
    )


async def payment_mix(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, start: date, end: date
) -> Report:
    """The money the house took and gave back, per payment method."""
    house = await repo.reportable_house(session, principal, house_id)
    check_range(start, end)
    rows = await repo.payment_mix(session, house.id, start, end)
    keys = ("payments", "taken_cents", "refunded_cents", "net_cents")
    return Report(
        name=f"payments-{house.slug}",
        title=f"Betalingen {house.name}, {start.isoformat()} tot {end.isoformat()}",
        columns=[
            Column("payment_method", "Betaalwijze", ColumnKind.TEXT),
            Column("payments", "Betalingen", ColumnKind.COUNT),
            Column("taken_cents", "Ontvangen", ColumnKind.CENTS),
            Column("refunded_cents", "Terugbetaald", ColumnKind.CENTS),
            Column("net_cents", "Netto", ColumnKind.CENTS),
        ],
        rows=[
            {"payment_method": r["payment_method"], **{k: _int(r[k]) for k in keys}} for r in rows
        ],
    )


async def cumulative_sales(
    session: AsyncSession, principal: Principal, performance_id: uuid.UUID
) -> Report:
    """A performance's tickets per sales day, their running total against its places."""
    performance = await repo.reportable_performance(session, principal, performance_id)
    rows = await repo.cumulative_sales(session, performance.house_id, performance.id)
    labels = await repo.performance_labels(session, [performance.id])
    capacity = (await layout_index(session, performance.layout_id)).sellable
    return Report(
        name=f"cumulative-{performance.id}",
        title=f"Verkoopverloop {performance_label(*labels[performance.id])}",
        columns=[
            Column("date", "Datum", ColumnKind.DATE),
            Column("tickets", "Tickets", ColumnKind.COUNT),
            Column("cumulative", "Totaal", ColumnKind.RUNNING),
            Column("capacity", "Capaciteit", ColumnKind.RUNNING),
            Column("gross_cents", "Bruto", ColumnKind.CENTS),
        ],
        rows=[
            {
                "date": r["date"],
                "tickets": _int(r["tickets"]),
                "cumulative": _int(r["cumulative"]),
                "capacity": capacity,
                "gross_cents": _int(r["gross_cents"]),
            }
            for r in rows
        ],
    )
