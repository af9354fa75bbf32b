"""The reads of the finance reports: every figure is an aggregate of ledger_entry, summed
in PostgreSQL (GROUP BY), for houses the caller was checked for here first (scoping).
The only other tables read are for labels (a performance's title and start, a clerk's
name, a house's name), a performance's places (layout) and the places held by unpaid
reservations (inventory)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import Forbidden, NotFound
from ticketing.db import raw
from ticketing.events.models import Performance
from ticketing.inventory.models import AllocationStatus, HoldStatus
from ticketing.money.models import MONEY_KINDS, REVENUE_KINDS, TICKET_KINDS, EntryKind
from ticketing.tenancy.models import Cluster, House
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import REPORTS, Role
from ticketing.tenancy.scoping import get_house, get_scoped, scope_clusters

REFUSED = "Reports are for house admins, finance and cluster admins."
CLUSTER_ONLY = "The cluster's reports are for its cluster admins."

# The groupings of daily sales: the ledger column grouped on (labels are added after).
GROUP_COLUMNS = {
    "performance": "performance_id",
    "tariff": "tariff_code",
    "payment_method": "payment_method",
    "channel": "channel",
    "clerk": "clerk_id",
}
# The day a revenue entry is counted on: when it happened, or the performance's day.
BASIS_COLUMNS = {"transaction": "business_date", "performance": "performance_date"}


# --- who may read what ---------------------------------------------------------------------


async def reportable_house(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> House:
    """The house, if the caller works there (404 otherwise) with a reporting role (403)."""
    house = await get_house(session, house_id, principal)
    if not principal.has(house.id, REPORTS):
        raise Forbidden(REFUSED)
    return house


async def reportable_cluster(
    session: AsyncSession, principal: Principal, cluster_id: uuid.UUID
) -> tuple[Cluster, list[House]]:
    """The cluster and its houses, for its cluster admins (404 for another cluster)."""
    stmt = scope_clusters(select(Cluster).where(Cluster.id == cluster_id), principal)
    cluster = (await session.exec(stmt)).first()
    if cluster is None:
        raise NotFound("Cluster not found (cluster_id).")
    if not principal.has_in_cluster(cluster.id, [Role.CLUSTER_ADMIN]):
        raise Forbidden(CLUSTER_ONLY)
    houses = (
        await session.exec(select(House).where(House.cluster_id == cluster.id).order_by(House.name))
    ).all()
    return cluster, list(houses)


async def reportable_performance(
    session: AsyncSession, principal: Principal, performance_id: uuid.UUID
) -> Performance:
    performance = await get_scoped(
        session, Performance, performance_id, principal, what="Performance"
    )
    if not principal.has(performance.house_id, REPORTS):
        raise Forbidden(REFUSED)
    return performance


# --- the ledger's sums ------------------------------------------------------------------------


async def _fetch(session: AsyncSession, sql: str, *args: Any) -> list[raw.Row]:
    return await (await raw.single(session)).fetch(sql, *args)


async def daily_sales(
    session: AsyncSession,
    houses: Sequence[uuid.UUID],
    start: date,
    end: date,
    basis: str,
    groups: Sequence[str],
) -> list[raw.Row]:
    """Revenue per day (and group, and owner house): tickets, gross, VAT, net. By
    performance date, the fees (which have no performance) are left out."""
    day = BASIS_COLUMNS[basis]
    keys = ["owner_house_id", f"{day} AS date"] + [f"{GROUP_COLUMNS[g]} AS {g}" for g in groups]
    sql = f"""
        SELECT {", ".join(keys)}, SUM(quantity) AS tickets, SUM(gross_cents) AS gross_cents,
               SUM(vat_cents) AS vat_cents, SUM(net_cents) AS net_cents
        FROM ledger_entry
        WHERE owner_house_id = ANY($1::uuid[]) AND kind = ANY($2::text[])
          AND {day} BETWEEN $3 AND $4
        GROUP BY {", ".join(str(i + 1) for i in range(len(keys)))}
        ORDER BY 2"""
    return await _fetch(session, sql, list(houses), list(REVENUE_KINDS), start, end)


async def vat_summary(
    session: AsyncSession, house_id: uuid.UUID, start: date, end: date
) -> list[raw.Row]:
    return await _fetch(
        session,
        """
        SELECT vat_rate_bp, SUM(quantity) AS tickets, SUM(gross_cents) AS gross_cents,
               SUM(vat_cents) AS vat_cents, SUM(net_cents) AS net_cents
        FROM ledger_entry
        WHERE owner_house_id = $1 AND kind = ANY($2::text[]) AND business_date BETWEEN $3 AND $4
        GROUP BY vat_rate_bp ORDER BY vat_rate_bp""",
        house_id,
        list(REVENUE_KINDS),
        start,
        end,
    )


async def performance_sales(
    session: AsyncSession, house_id: uuid.UUID, performance_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, raw.Row]:
    """Per performance: tickets sold (paid, net of those back), comps, tickets back, and
    the revenue (gross) of its tickets."""
    rows = await _fetch(
        session,
        """
        SELECT performance_id,
          COALESCE(SUM(quantity) FILTER (WHERE kind = ANY($3::text[]) AND gross_cents <> 0), 0)
            AS sold,
          COALESCE(SUM(quantity) FILTER (WHERE kind = ANY($3::text[]) AND gross_cents = 0), 0)
            AS comp,
          COALESCE(-SUM(quantity) FILTER (WHERE kind = $4 AND gross_cents <> 0), 0) AS refunded,
          COALESCE(SUM(gross_cents), 0) AS revenue_cents
        FROM ledger_entry
        WHERE owner_house_id = $1 AND performance_id = ANY($2::uuid[]) AND kind = ANY($5::text[])
        GROUP BY performance_id""",
        house_id,
        list(performance_ids),
        list(TICKET_KINDS),
        EntryKind.CANCEL.value,
        list(REVENUE_KINDS),
    )
    return {row["performance_id"]: row for row in rows}


async def payment_mix(
    session: AsyncSession, house_id: uuid.UUID, start: date, end: date
) -> list[raw.Row]:
    return await _fetch(
        session,
        """
        SELECT COALESCE(payment_method, '') AS payment_method,
          COUNT(*) FILTER (WHERE kind = $4) AS payments,
          COALESCE(SUM(gross_cents) FILTER (WHERE kind = $4), 0) AS taken_cents,
          COALESCE(-SUM(gross_cents) FILTER (WHERE kind = $5), 0) AS refunded_cents,
          SUM(gross_cents) AS net_cents
        FROM ledger_entry
        WHERE seller_house_id = $1 AND kind = ANY($6::text[]) AND business_date BETWEEN $2 AND $3
        GROUP BY 1 ORDER BY 1""",
        house_id,
        start,
        end,
        EntryKind.PAYMENT.value,
        EntryKind.REFUND.value,
        list(MONEY_KINDS),
    )


async def cumulative_sales(
    session: AsyncSession, house_id: uuid.UUID, performance_id: uuid.UUID
) -> list[raw.Row]:
    """Per day the performance's tickets were sold (or came back): the day's tickets, the
    running total, and the day's revenue."""
    return await _fetch(
        session,
        """
        SELECT business_date AS date,
          COALESCE(SUM(quantity) FILTER (WHERE kind = ANY($3::text[])), 0) AS tickets,
          SUM(COALESCE(SUM(quantity) FILTER (WHERE kind = ANY($3::text[])), 0))
            OVER (ORDER BY business_date) AS cumulative,
          SUM(gross_cents) AS gross_cents
        FROM ledger_entry
        WHERE owner_house_id = $1 AND performance_id = $2 AND kind = ANY($4::text[])
        GROUP BY business_date ORDER BY business_date""",
        house_id,
        performance_id,
        list(TICKET_KINDS),
        list(REVENUE_KINDS),
    )


async def till_totals(session: AsyncSession, till_session_id: uuid.UUID) -> list[raw.Row]:
    """A till session's ledger: per kind and payment method, how many entries and their
    sum (the float, the payments, the refunds, the count's difference)."""
    sql = await raw.connection(session)  # its payments may be deferred writes still
    return await sql.fetch(
        """
        SELECT kind, COALESCE(payment_method, '') AS payment_method, COUNT(*) AS entries,
               SUM(gross_cents) AS gross_cents
        FROM ledger_entry WHERE till_session_id = $1
        GROUP BY 1, 2""",
        till_session_id,
    )


# --- labels and places ------------------------------------------------------------------------


async def performances_between(
    session: AsyncSession, house_id: uuid.UUID, start: date, end: date
) -> list[raw.Row]:
    """The house's performances whose day in Brussels is in the range, by start."""
    return await _fetch(
        session,
        """
        SELECT p.id, p.starts_at, p.layout_id, e.title
        FROM performance p JOIN event e ON e.id = p.event_id
        WHERE p.house_id = $1
          AND (p.starts_at AT TIME ZONE 'Europe/Brussels')::date BETWEEN $2 AND $3
        ORDER BY p.starts_at, p.id""",
        house_id,
        start,
        end,
    )


async def performance_labels(
    session: AsyncSession, performance_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[dict[str, str], datetime]]:
    """Title and start of each performance."""
    if not performance_ids:
        return {}
    rows = await _fetch(
        session,
        """
        SELECT p.id, e.title, p.starts_at FROM performance p JOIN event e ON e.id = p.event_id
        WHERE p.id = ANY($1::uuid[])""",
        list(performance_ids),
    )
    return {row["id"]: (dict(row["title"]), row["starts_at"]) for row in rows}


async def staff_names(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await _fetch(
        session,
        "SELECT id, name, email FROM staff_user WHERE id = ANY($1::uuid[])",
        list(user_ids),
    )
    return {row["id"]: row["name"] or row["email"] for row in rows}


async def reserved(
    session: AsyncSession, performance_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, int]:
    """Places held for unpaid reservations (holds that became orders), per performance."""
    rows = await _fetch(
        session,
        """
        SELECT a.performance_id, SUM(a.quantity) AS places
        FROM allocation a JOIN hold h ON h.id = a.hold_id
        WHERE a.performance_id = ANY($1::uuid[]) AND a.status = $2 AND h.status = $3
          AND a.expires_at > $4
        GROUP BY a.performance_id""",
        list(performance_ids),
        AllocationStatus.HELD.value,
        HoldStatus.ORDERED.value,
        now,
    )
    return {row["performance_id"]: int(row["places"]) for row in rows}
