"""Settlement inside a cluster: what the houses owe each other for a period.

When a house's counter or online shop sells another house's tickets, the money lands
with the seller (the ledger's holder) and belongs to the performance's house (the owner).
A statement sums, per ordered pair (holder, owner) of different houses, the revenue
entries (sales, cancellations, exchanges, fees; reversals are negative, so refunds are
netted) dated up to the period's end that no final statement covers yet:

    gross_cents      = sum of those entries' gross
    commission_cents = gross * owner.commission_bp / 10000, half up to the cent
                       (house.commission_bp: the share of the owner's ticket revenue the
                       selling house keeps, set by the cluster admin; 0 by default)
    owed_cents       = gross - commission: what the holder pays the owner

A draft is recomputed at will; a final statement never changes. Finalising records the
entries it covers (settlement_entry, each entry at most once), so an entry booked after it
(a late refund, or a sale committing as it is finalised) lands in the next statement.
The work is serialised per cluster (its row, locked); the ledger itself is never locked,
so selling never waits for a statement.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from ticketing.money import settlement_repository as repo
from ticketing.money.models import SettlementLine, SettlementStatement, StatementStatus
from ticketing.money.tables import Column, ColumnKind, Report
from ticketing.tenancy import repository as tenancy_repo
from ticketing.tenancy.models import Cluster, House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role


def commission_of(gross_cents: int, rate_bp: int) -> int:
    """rate_bp of gross, half up to the cent; a negative gross gives the negative of its
    positive twin (a refund takes its commission back exactly)."""
    if rate_bp <= 0 or gross_cents == 0:
        return 0
    magnitude = (2 * abs(gross_cents) * rate_bp + 10000) // 20000
    return magnitude if gross_cents > 0 else -magnitude


def month_period(month: str) -> tuple[date, date]:
    """ "2026-03" -> (2026-03-01, 2026-03-31); InvalidInput naming `month` otherwise."""
    try:
        year, number = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, number)[1]
        return date(year, number, 1), date(year, number, last)
    except (ValueError, TypeError, calendar.IllegalMonthError):
        raise InvalidInput.field("month", "A month is written YYYY-MM, e.g. 2026-03.") from None


async def settling_cluster(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> Cluster:
    """The cluster, for its cluster admin (or a platform admin): 404 when the caller
    cannot see it, 403 when it may see it but not settle it."""
    cluster = await tenancy_repo.get_cluster(session, cluster_id, principal)
    if cluster is None:
        raise NotFound("Cluster not found.")
    if not principal.has_in_cluster(cluster.id, [Role.CLUSTER_ADMIN]):
        raise Forbidden("Only a cluster admin settles between the houses of the cluster.")
    return cluster


@dataclass
class Statement:
    """A statement with its lines and the houses they name."""

    row: SettlementStatement
    lines: list[SettlementLine]
    houses: dict[uuid.UUID, House] = field(default_factory=dict)
    created: bool = False  # made by this request (not a draft recomputed)

    def name(self, house_id: uuid.UUID) -> str:
        house = self.houses.get(house_id)
        return house.name if house is not None else str(house_id)

    def nets(self) -> list[dict[str, object]]:
        """Per pair of houses: what each owes the other, and who pays whom the balance."""
        owed: dict[tuple[uuid.UUID, uuid.UUID], int] = {}
        for line in self.lines:
            owed[(line.holder_house_id, line.owner_house_id)] = line.owed_cents
        pairs = sorted({tuple(sorted(key, key=str)) for key in owed})
        out: list[dict[str, object]] = []
        for a, b in pairs:
            a_owes_b = owed.get((a, b), 0)
            b_owes_a = owed.get((b, a), 0)
            balance = a_owes_b - b_owes_a
            payer, payee = (a, b) if balance >= 0 else (b, a)
            out.append(
                {
                    "house_a_id": a,
                    "house_b_id": b,
                    "a_owes_b_cents": a_owes_b,
                    "b_owes_a_cents": b_owes_a,
                    "payer_house_id": payer,
                    "payee_house_id": payee,
                    "net_cents": abs(balance),
                }
            )
        return out

    def report(self) -> Report:
        """The lines as a money.tables.Report (for the CSV and XLSX exports)."""
        start, end = self.row.period_start.isoformat(), self.row.period_end.isoformat()
        return Report(
            name=f"settlement-{start}",
            title=f"Settlement {start} - {end} ({self.row.status})",
            columns=[
                Column("holder", "Holds the money", ColumnKind.TEXT),
                Column("owner", "Owes it to", ColumnKind.TEXT),
                Column("entries", "Entries", ColumnKind.COUNT),
                Column("gross_cents", "Gross", ColumnKind.CENTS),
                Column("commission_cents", "Commission", ColumnKind.CENTS),
                Column("owed_cents", "Owed", ColumnKind.CENTS),
            ],
            rows=[
                {
                    "holder": self.name(line.holder_house_id),
                    "owner": self.name(line.owner_house_id),
                    "entries": line.entries,
                    "gross_cents": line.gross_cents,
                    "commission_cents": line.commission_cents,
                    "owed_cents": line.owed_cents,
                }
                for line in self.lines
            ],
        )


async def _compute(
    session: AsyncSession,
    statement: SettlementStatement,
    houses: dict[uuid.UUID, House],
    covered: bool = False,
) -> tuple[list[SettlementLine], int]:
    """The statement's lines as the ledger says now (covered: of the entries it covers),
    and the last entry id they count."""
    sums = await repo.pair_sums(
        session, statement.cluster_id, statement.period_end, statement.id if covered else None
    )
    lines = []
    for pair in sums:
        owner = houses.get(pair.owner_house_id)
        rate = owner.commission_bp if owner else 0
        commission = commission_of(pair.gross_cents, rate)
        lines.append(
            SettlementLine(
                statement_id=statement.id,
                holder_house_id=pair.holder_house_id,
                owner_house_id=pair.owner_house_id,
                gross_cents=pair.gross_cents,
                commission_bp=rate,
                commission_cents=commission,
                owed_cents=pair.gross_cents - commission,
                entries=pair.entries,
            )
        )
    through = max((pair.through_entry_id for pair in sums), default=statement.after_entry_id)
    return lines, through


def _check_after_finals(
    last: SettlementStatement | None, start: date, field_name: str = "period_start"
) -> None:
    if last is not None and start <= last.period_end:
        raise Conflict(
            f"The period must start after {last.period_end.isoformat()}, the end of the last "
            f"final statement ({field_name}).",
            errors=[FieldError(field_name, "overlaps or precedes a final statement")],
        )


async def _recompute(
    session: AsyncSession, statement: SettlementStatement, houses: dict[uuid.UUID, House]
) -> Statement:
    last = await repo.last_final(session, statement.cluster_id)
    statement.after_entry_id = last.through_entry_id if last is not None else 0
    lines, through = await _compute(session, statement, houses)
    statement.through_entry_id = max(through, statement.after_entry_id)
    statement.updated_at = clock.now()
    session.add(statement)
    await repo.replace_lines(session, statement, lines)
    return Statement(statement, lines, houses)


async def create_or_recompute(
    session: AsyncSession,
    principal: Principal,
    cluster_id: uuid.UUID,
    period_start: date,
    period_end: date,
) -> Statement:
    """The draft for the period, made or recomputed (the same period_start: the same
    statement). A final statement for it is a 409."""
    cluster = await settling_cluster(session, principal, cluster_id)
    if period_end < period_start:
        raise InvalidInput.field("period_end", "The period ends before it starts.")
    await repo.lock_for_settlement(session, cluster.id)
    existing = await repo.statement_starting(session, cluster.id, period_start)
    if existing is not None and existing.status == StatementStatus.FINAL:
        raise Conflict(
            "The statement of this period is final; corrections land in the next period.",
            errors=[FieldError("period_start", "has a final statement")],
        )
    _check_after_finals(await repo.last_final(session, cluster.id), period_start)
    statement = existing or SettlementStatement(
        cluster_id=cluster.id,
        period_start=period_start,
        period_end=period_end,
        status=StatementStatus.DRAFT,
    )
    statement.period_end = period_end
    session.add(statement)
    await session.flush()
    made = await _recompute(session, statement, await repo.houses_of(session, cluster.id))
    made.created = existing is None
    return made


async def _draft(
    session: AsyncSession, cluster_id: uuid.UUID, statement_id: uuid.UUID
) -> SettlementStatement:
    statement = await repo.statement(session, cluster_id, statement_id)
    if statement is None:
        raise NotFound("Settlement statement not found.")
    return statement


async def refresh(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, statement_id: uuid.UUID
) -> Statement:
    cluster = await settling_cluster(session, principal, cluster_id)
    await repo.lock_for_settlement(session, cluster.id)
    statement = await _draft(session, cluster.id, statement_id)
    if statement.status == StatementStatus.FINAL:
        raise Conflict("This statement is final and never changes; refresh a draft.")
    _check_after_finals(await repo.last_final(session, cluster.id), statement.period_start)
    return await _recompute(session, statement, await repo.houses_of(session, cluster.id))


def _same(old: list[SettlementLine], new: list[SettlementLine]) -> bool:
    def key(lines: list[SettlementLine]) -> list[tuple[object, ...]]:
        return sorted(
            (
                str(x.holder_house_id),
                str(x.owner_house_id),
                x.gross_cents,
                x.commission_cents,
                x.entries,
            )
            for x in lines
        )

    return key(old) == key(new)


async def finalise(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, statement_id: uuid.UUID
) -> Statement:
    """Make the draft final, as reviewed: if the ledger says otherwise now (entries booked
    or a commission changed since it was computed) it is a 409, to refresh and review
    again. Finalising a final statement changes nothing."""
    cluster = await settling_cluster(session, principal, cluster_id)
    await repo.lock_for_settlement(session, cluster.id)
    statement = await _draft(session, cluster.id, statement_id)
    houses = await repo.houses_of(session, cluster.id)
    stored = await repo.lines_of(session, statement.id)
    if statement.status == StatementStatus.FINAL:
        return Statement(statement, stored, houses)
    _check_after_finals(await repo.last_final(session, cluster.id), statement.period_start)
    # Cover the open entries, then check they are what was reviewed (a 409 undoes both).
    await repo.cover(session, statement)
    current, through = await _compute(session, statement, houses, covered=True)
    if not _same(stored, current):
        raise Conflict(
            "The ledger changed since this draft was computed; refresh it and review it again."
        )
    statement.through_entry_id = max(through, statement.after_entry_id)
    statement.status = StatementStatus.FINAL
    statement.finalised_at = clock.now()
    statement.finalised_by_id = principal.user_id
    session.add(statement)
    await session.flush()
    return Statement(statement, stored, houses)


async def list_statements(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> list[SettlementStatement]:
    cluster = await settling_cluster(session, principal, cluster_id)
    return await repo.statements(session, cluster.id)


async def get_statement(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID, statement_id: uuid.UUID
) -> Statement:
    cluster = await settling_cluster(session, principal, cluster_id)
    statement = await _draft(session, cluster.id, statement_id)
    return Statement(
        statement,
        await repo.lines_of(session, statement.id),
        await repo.houses_of(session, cluster.id),
    )
