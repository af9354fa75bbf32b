"""Writing the ledger: entries are built from what happened and inserted in the
transaction of the change that caused them (deferred plain inserts, sent with the
request's next statement or its commit). Nothing here updates or deletes an entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.db import raw
from ticketing.money.models import LedgerEntry
from ticketing.money.vat import split

ENTRY_COLUMNS = raw.columns(LedgerEntry, without=("id",))
INSERT_ENTRY = raw.insert_sql(LedgerEntry, ENTRY_COLUMNS)


def business_date(at: datetime) -> date:
    """The day in Europe/Brussels of a moment (a sale at 00:30 belongs to that day)."""
    return clock.local(at).date()


def entry(
    kind: str,
    *,
    cluster_id: uuid.UUID,
    owner_house_id: uuid.UUID,
    seller_house_id: uuid.UUID,
    holder_house_id: uuid.UUID | None = None,
    channel: str,
    gross_cents: int,
    vat_rate_bp: int = 0,
    at: datetime | None = None,
    **refs: object,
) -> LedgerEntry:
    """One entry, its VAT split from the gross (half up, per line) and dated in
    Brussels. The holder is the seller unless said otherwise."""
    at = at or clock.now()
    vat, net = split(gross_cents, vat_rate_bp)
    return raw.build(
        LedgerEntry,
        at=at,
        business_date=business_date(at),
        cluster_id=cluster_id,
        kind=kind,
        owner_house_id=owner_house_id,
        seller_house_id=seller_house_id,
        holder_house_id=holder_house_id or seller_house_id,
        channel=channel,
        gross_cents=gross_cents,
        vat_rate_bp=vat_rate_bp,
        vat_cents=vat,
        net_cents=net,
        **refs,
    )


def book(session: AsyncSession, entries: Iterable[LedgerEntry]) -> int:
    """Append the entries in the session's transaction; returns how many."""
    count = 0
    for item in entries:
        raw.defer(session, INSERT_ENTRY, *raw.values(item, ENTRY_COLUMNS))
        count += 1
    return count
