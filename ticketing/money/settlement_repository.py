"""Every query of the settlement statements (ticketing/money/settlement.py). The caller's
right to the cluster is checked by the service through the tenancy scoping helper before
any of these runs; these read one cluster's rows by its id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, insert, literal
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.money.models import (
    REVENUE_KINDS,
    LedgerEntry,
    SettlementEntry,
    SettlementLine,
    SettlementStatement,
    StatementStatus,
)
from ticketing.tenancy.models import Cluster, House


@dataclass(frozen=True)
class PairSum:
    holder_house_id: uuid.UUID
    owner_house_id: uuid.UUID
    gross_cents: int
    entries: int
    through_entry_id: int


async def lock_for_settlement(session: AsyncSession, cluster_id: uuid.UUID) -> None:
    """Serialise the settlement work of a cluster: its row, locked FOR NO KEY UPDATE (a
    sale that wrote the ledger and then inserts a row referring to the cluster takes KEY
    SHARE and does not wait for it, so the two cannot wait for each other)."""
    await session.exec(
        select(Cluster.id).where(Cluster.id == cluster_id).with_for_update(key_share=True)
    )


def _open_entries(cluster_id: uuid.UUID, period_end: date) -> list[ColumnElement[bool]]:
    """The cluster's entries of money one house holds for another (revenue: sales,
    cancellations, exchanges, fees), dated up to period_end, that no final statement
    covers yet."""
    return [
        col(LedgerEntry.cluster_id) == cluster_id,
        col(LedgerEntry.kind).in_(REVENUE_KINDS),
        col(LedgerEntry.holder_house_id) != col(LedgerEntry.owner_house_id),
        col(LedgerEntry.business_date) <= period_end,
        ~exists(select(SettlementEntry.entry_id).where(SettlementEntry.entry_id == LedgerEntry.id)),
    ]


async def cover(session: AsyncSession, statement: SettlementStatement) -> None:
    """Record the entries a statement being finalised covers: those open now. An entry
    committed by a sale a moment later is simply not among them and lands in the next
    statement: no lock on the ledger, so selling never waits for a statement."""
    await raw.send_deferred(session)
    chosen = sa_select(col(LedgerEntry.id), literal(statement.id)).where(
        *_open_entries(statement.cluster_id, statement.period_end)
    )
    await session.exec(insert(SettlementEntry).from_select(["entry_id", "statement_id"], chosen))


async def pair_sums(
    session: AsyncSession,
    cluster_id: uuid.UUID,
    period_end: date,
    covered_by: uuid.UUID | None = None,
) -> list[PairSum]:
    """Per (holder, owner) pair of different houses, summed (reversals are negative): the
    entries open now, or those the statement covered_by covers."""
    if covered_by is None:
        which = _open_entries(cluster_id, period_end)
    else:
        which = [
            exists(
                select(SettlementEntry.entry_id).where(
                    SettlementEntry.entry_id == LedgerEntry.id,
                    SettlementEntry.statement_id == covered_by,
                )
            )
        ]
    stmt = (
        sa_select(
            col(LedgerEntry.holder_house_id),
            col(LedgerEntry.owner_house_id),
            func.sum(LedgerEntry.gross_cents),
            func.count(),
            func.max(LedgerEntry.id),
        )
        .where(*which)
        .group_by(col(LedgerEntry.holder_house_id), col(LedgerEntry.owner_house_id))
        .order_by(col(LedgerEntry.holder_house_id), col(LedgerEntry.owner_house_id))
    )
    rows = (await session.exec(stmt)).all()  # type: ignore[call-overload]
    return [
        PairSum(holder, owner, int(gross or 0), int(count), int(last or 0))
        for holder, owner, gross, count, last in rows
    ]


async def houses_of(session: AsyncSession, cluster_id: uuid.UUID) -> dict[uuid.UUID, House]:
    stmt = select(House).where(House.cluster_id == cluster_id)
    return {h.id: h for h in (await session.exec(stmt)).all()}


async def statements(session: AsyncSession, cluster_id: uuid.UUID) -> list[SettlementStatement]:
    stmt = (
        select(SettlementStatement)
        .where(SettlementStatement.cluster_id == cluster_id)
        .order_by(col(SettlementStatement.period_start).desc())
    )
    return list((await session.exec(stmt)).all())


async def statement(
    session: AsyncSession, cluster_id: uuid.UUID, statement_id: uuid.UUID
) -> SettlementStatement | None:
    stmt = select(SettlementStatement).where(
        SettlementStatement.id == statement_id, SettlementStatement.cluster_id == cluster_id
    )
    return (await session.exec(stmt.execution_options(populate_existing=True))).first()


async def statement_starting(
    session: AsyncSession, cluster_id: uuid.UUID, period_start: date
) -> SettlementStatement | None:
    stmt = select(SettlementStatement).where(
        SettlementStatement.cluster_id == cluster_id,
        SettlementStatement.period_start == period_start,
    )
    return (await session.exec(stmt.execution_options(populate_existing=True))).first()


async def last_final(session: AsyncSession, cluster_id: uuid.UUID) -> SettlementStatement | None:
    """The final statement with the latest period."""
    stmt = (
        select(SettlementStatement)
        .where(
            SettlementStatement.cluster_id == cluster_id,
            SettlementStatement.status == StatementStatus.FINAL,
        )
        .order_by(col(SettlementStatement.period_end).desc())
        .limit(1)
    )
    return (await session.exec(stmt)).first()


async def lines_of(session: AsyncSession, statement_id: uuid.UUID) -> list[SettlementLine]:
    stmt = (
        select(SettlementLine)
        .where(SettlementLine.statement_id == statement_id)
        .order_by(col(SettlementLine.holder_house_id), col(SettlementLine.owner_house_id))
    )
    return list((await session.exec(stmt)).all())


async def replace_lines(
    session: AsyncSession, statement: SettlementStatement, lines: list[SettlementLine]
) -> None:
    """The draft's lines, recomputed: the old ones go, the new ones come."""
    for old in await lines_of(session, statement.id):
        await session.delete(old)
    await session.flush()
    session.add_all(lines)
    await session.flush()
