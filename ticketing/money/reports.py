"""PLACEHOLDER, to be replaced at merge by branch i18-reports (which owns this module).

Only the three functions the chart routes call, with the signatures and column keys agreed
with that branch, reading the ledger as simply as possible, so the chart routes and the
reports page can be run in branch i18-page before the merge. Not the real reports."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.events.models import Performance
from ticketing.inventory.layouts import layout_index
from ticketing.money.models import MONEY_KINDS, REVENUE_KINDS, TICKET_KINDS, EntryKind, LedgerEntry
from ticketing.money.tables import Column, ColumnKind, Report
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE, Role
from ticketing.tenancy.scoping import authorize, get_house, get_scoped

REPORTERS = MANAGE | {Role.FINANCE}


async def daily_sales(
    session: AsyncSession,
    principal: Principal,
    house_id: uuid.UUID,
    start: date,
    end: date,
    basis: str = "transaction",
    group_by: str | None = None,
) -> Report:
    await get_house(session, house_id, principal)
    authorize(principal, house_id, REPORTERS)
    e = LedgerEntry
    stmt = (
        select(  # type: ignore[call-overload]
            col(e.business_date),
            func.sum(e.quantity),
            func.sum(e.gross_cents),
            func.sum(e.vat_cents),
            func.sum(e.net_cents),
        )
        .where(e.owner_house_id == house_id, col(e.kind).in_(REVENUE_KINDS))
        .where(e.business_date >= start, e.business_date <= end)
        .group_by(e.business_date)
        .order_by(e.business_date)
    )
    rows = (await session.exec(stmt)).all()
    return Report(
        "daily-sales",
        "Dagverkoop",
        [
            Column("date", "Datum", ColumnKind.DATE),
            Column("tickets", "Tickets", ColumnKind.COUNT),
            Column("gross_cents", "Bruto", ColumnKind.CENTS),
            Column("vat_cents", "Btw", ColumnKind.CENTS),
            Column("net_cents", "Netto", ColumnKind.CENTS),
        ],
        [
            {"date": d, "tickets": q, "gross_cents": g, "vat_cents": v, "net_cents": n}
            for d, q, g, v, n in rows
        ],
    )


async def payment_mix(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, start: date, end: date
) -> Report:
    await get_house(session, house_id, principal)
    authorize(principal, house_id, REPORTERS)
    e = LedgerEntry
    taken = func.sum(e.gross_cents).filter(col(e.kind) == EntryKind.PAYMENT)
    back = func.sum(-col(e.gross_cents)).filter(col(e.kind) == EntryKind.REFUND)
    stmt = (
        select(
            col(e.payment_method),
            func.count().filter(col(e.kind) == EntryKind.PAYMENT),
            taken,
            back,
        )
        .where(e.seller_house_id == house_id, col(e.kind).in_(MONEY_KINDS))
        .where(e.business_date >= start, e.business_date <= end)
        .group_by(e.payment_method)
        .order_by(e.payment_method)
    )
    rows = (await session.exec(stmt)).all()
    return Report(
        "payment-mix",
        "Betaalwijzen",
        [
            Column("payment_method", "Betaalwijze", ColumnKind.TEXT),
            Column("payments", "Betalingen", ColumnKind.COUNT),
            Column("taken_cents", "Ontvangen", ColumnKind.CENTS),
            Column("refunded_cents", "Terugbetaald", ColumnKind.CENTS),
            Column("net_cents", "Netto", ColumnKind.CENTS),
        ],
        [
            {
                "payment_method": m,
                "payments": p,
                "taken_cents": t or 0,
                "refunded_cents": r or 0,
                "net_cents": (t or 0) - (r or 0),
            }
            for m, p, t, r in rows
        ],
    )


async def cumulative_sales(
    session: AsyncSession, principal: Principal, performance_id: uuid.UUID
) -> Report:
    performance = await get_scoped(
        session, Performance, performance_id, principal, what="Performance", roles=REPORTERS
    )
    capacity = (await layout_index(session, performance.layout_id)).sellable
    e = LedgerEntry
    stmt = (
        select(col(e.business_date), func.sum(e.quantity), func.sum(e.gross_cents))
        .where(e.performance_id == performance_id, col(e.kind).in_(TICKET_KINDS))
        .group_by(col(e.business_date))
        .order_by(col(e.business_date))
    )
    rows = []
    running = 0
    for day, tickets, gross in (await session.exec(stmt)).all():
        running += int(tickets or 0)
        rows.append(
            {
                "date": day,
                "tickets": tickets,
                "cumulative": running,
                "capacity": capacity,
                "gross_cents": gross,
            }
        )
    return Report(
        "cumulative-sales",
        "Verkoop van de voorstelling",
        [
            Column("date", "Datum", ColumnKind.DATE),
            Column("tickets", "Tickets", ColumnKind.COUNT),
            Column("cumulative", "Opgeteld", ColumnKind.TEXT),
            Column("capacity", "Capaciteit", ColumnKind.TEXT),
            Column("gross_cents", "Bruto", ColumnKind.CENTS),
        ],
        rows,
    )
