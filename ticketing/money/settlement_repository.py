"""Every query of the settlement statements (ticketing/money/settlement.py). The caller's
right to the cluster is checked by the service through the tenancy scoping helper before
any of these runs; these read one cluster's rows by its id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, text
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.money.models import (
    REVENUE_KINDS,
    LedgerEntry,
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


async def settle_the_ledger(session: AsyncSession) -> None:
    """Before a statement becomes final: wait for every transaction writing the ledger
    and keep new writes out until commit (SHARE mode), so every entry id up to the highest
    one is committed and seen, and `through_entry_id` leaves nothing behind that a later
    commit could slip under. Every sale of the platform waits for it, so only finalising
    (a few times a month, one short recomputation) takes it; drafts do not."""
    await raw.send_deferred(session)
    await session.exec(text("LOCK TABLE ledger_entry IN SHARE MODE"))  # type: ignore[call-overload]


def _not_settled(cluster_id: uuid.UUID) -> ColumnElement[bool]:
    """An entry no final statement of the cluster covers (see SettlementStatement: a final
    statement covers its cluster's entries up to its through_entry_id dated up to its
    period's end)."""
    final = SettlementStatement
    return ~exists(
        select(final.id).where(
            final.cluster_id == cluster_id,
            final.status == StatementStatus.FINAL,
            col(LedgerEntry.id) <= final.through_entry_id,
            col(LedgerEntry.business_date) <= final.period_end,
        )
    )


async def pair_sums(
    session: AsyncSession, cluster_id: uuid.UUID, period_end: date
) -> list[PairSum]:
    """Per (holder, owner) pair of different houses: the revenue entries dated up to
    period_end that no final statement covers, summed (reversals are negative)."""
    stmt = (
        sa_select(
            col(LedgerEntry.holder_house_id),
            col(LedgerEntry.owner_house_id),
            func.sum(LedgerEntry.gross_cents),
            func.count(),
            func.max(LedgerEntry.id),
        )
        .where(
            col(LedgerEntry.cluster_id) == cluster_id,
            col(LedgerEntry.kind).in_(REVENUE_KINDS),
            col(LedgerEntry.holder_house_id) != col(LedgerEntry.owner_house_id),
            col(LedgerEntry.business_date) <= period_end,
            _not_settled(cluster_id),
        )
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
