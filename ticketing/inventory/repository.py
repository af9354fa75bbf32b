"""Every inventory query. Taking places is done with single conditional statements:
an insert that the unique index refuses, an update that the capacity condition refuses;
never a read in Python followed by a write."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from asyncpg import PostgresError
from sqlalchemy import and_, delete, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.runtime import Part, current
from ticketing.core.ttl_cache import TtlCache
from ticketing.db import raw
from ticketing.db.uow import after_commit
from ticketing.events.models import Event, Performance
from ticketing.inventory import changes
from ticketing.inventory.models import Allocation, AllocationStatus, Hold, StandingStock
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import SCOPE_SQL, scope_param

HELD = AllocationStatus.HELD


async def performance_for_sale(
    session: AsyncSession, performance_id: uuid.UUID
) -> tuple[Performance, Event] | None:
    """A performance with its event, for the public pages (checked by the caller)."""
    stmt = (
        select(Performance, Event)
        .join(Event, col(Event.id) == Performance.event_id)
        .where(Performance.id == performance_id)
    )
    row = (await session.exec(stmt)).first()
    if row is None:
        return None
    performance, event = row
    return performance, event


@dataclass(frozen=True)
class SellingHouse:
    id: uuid.UUID
    cluster_id: uuid.UUID
    hold_minutes: int


@dataclass(frozen=True)
class SaleTarget:
    """What the selling path needs of a performance and its event."""

    id: uuid.UUID
    house_id: uuid.UUID
    cluster_id: uuid.UUID
    layout_id: uuid.UUID
    status: str
    event_status: str
    starts_at: datetime
    ends_at: datetime
    online_sales_from: datetime | None
    online_sales_until: datetime | None
    box_office_sales_from: datetime | None
    box_office_sales_until: datetime | None
    # The event's title by language: a refusal names the performance.
    title: dict[str, str]

    @property
    def name(self) -> str:
        """The performance as a clerk knows it: its title and when it plays."""
        title = self.title.get("nl") or next(iter(self.title.values()), "")
        when = clock.local(self.starts_at).strftime("%d/%m/%Y %H:%M")
        return f"{title} ({when})" if title else when


# Where each field of a SaleTarget comes from: a column of the performance p, or of its
# event e for these (tests/db/test_raw.py ties them to the models).
SALE_TARGET_EVENT_FIELDS = {"event_status": "status", "title": "title"}
_SALE = "sale_"


def _sale_source(name: str) -> str:
    event_column = SALE_TARGET_EVENT_FIELDS.get(name)
    return f"e.{event_column}" if event_column else f"p.{name}"


# A SaleTarget's columns, of a performance p and its event e (named sale_<field>). Every
# statement that checks the sale rules selects these, so they are read with what the
# statement reads anyway.
SALE_TARGET_COLUMNS = ", ".join(
    f"{_sale_source(f.name)} AS {_SALE}{f.name}" for f in fields(SaleTarget)
)


def sale_target_of(row: raw.Row) -> SaleTarget | None:
    """The SaleTarget in a row that selected SALE_TARGET_COLUMNS (None without one)."""
    if row[_SALE + "id"] is None:
        return None
    return SaleTarget(**{f.name: row[_SALE + f.name] for f in fields(SaleTarget)})


SALE_TARGET = f"""
    SELECT h.id AS house_id, h.cluster_id AS house_cluster_id, h.hold_minutes,
           {SALE_TARGET_COLUMNS}
    FROM house h
    LEFT JOIN performance p ON p.id = $2
    LEFT JOIN event e ON e.id = p.event_id
    WHERE h.id = coalesce($1, (SELECT house_id FROM performance WHERE id = $2))
"""


Target = tuple[SellingHouse | None, SaleTarget | None]

# In an on-sale rush every hold asks for the same performance. Each API process reuses
# what it read for `sale_target_seconds()` (the API's runtime takes it from
# `inventory.sale_target_cache_seconds`; 0, the default elsewhere, reads every time).
# Changes to houses, events and performances made through the process clear it once they
# commit; other processes see them within those seconds. Places themselves are never cached: taking
# them is always decided by the database.
SALE_TARGETS: TtlCache[tuple[uuid.UUID, uuid.UUID | None], Target, float] = TtlCache(10_000)
SALE_TARGET_SECONDS: Part[float] = Part("inventory.sale_target_seconds", lambda settings: 0.0)
monotonic = time.monotonic  # the cache's clock (tests move it)


def sale_target_seconds() -> float:
    return current().get(SALE_TARGET_SECONDS)


# Every per-process cache of what is on sale (the programme listing registers its own).
ON_SALE_CACHES: list[TtlCache[Any, Any, float]] = [SALE_TARGETS]


def _forget_on_sale() -> None:
    for cache in ON_SALE_CACHES:
        cache.clear()


def forget_sale_targets(session: AsyncSession) -> None:
    """What is on sale, and where, changes with this transaction: once it commits, this
    process reads every sale target (and programme listing) again."""
    after_commit(session, _forget_on_sale)


async def sale_target(
    session: AsyncSession, performance_id: uuid.UUID, house_id: uuid.UUID | None
) -> Target:
    """The selling house (by default the performance's own) and the performance, in one
    round trip (or none, from the cache); either is None when it does not exist."""
    key = (performance_id, house_id)
    now = monotonic()
    seconds = sale_target_seconds()
    if seconds > 0:
        cached = SALE_TARGETS.get(key, now)
        if cached is not None:
            return cached
    generation = SALE_TARGETS.generation
    connection = await raw.single(session)
    row = await connection.fetchrow(SALE_TARGET, house_id, performance_id)
    found: Target = (None, None)
    if row is not None:
        house = SellingHouse(row["house_id"], row["house_cluster_id"], row["hold_minutes"])
        found = (house, sale_target_of(row))
    if seconds > 0:
        SALE_TARGETS.put(key, found, now + seconds, generation=generation)
    return found


HOLD_COLUMNS = raw.columns(Hold)
INSERT_HOLD = raw.insert_sql(Hold, HOLD_COLUMNS)
GET_HOLD = (
    f"SELECT {raw.select_list(HOLD_COLUMNS)} FROM hold WHERE id = $1 AND " + SCOPE_SQL.format(n=2)
)


async def insert_hold(session: AsyncSession, hold: Hold) -> None:
    connection = await raw.connection(session)
    await connection.execute(INSERT_HOLD, *raw.values(hold, HOLD_COLUMNS))


async def _read_hold(
    session: AsyncSession, hold_id: uuid.UUID, houses: list[uuid.UUID] | None, lock: bool
) -> Hold | None:
    connection = await raw.connection(session)
    row = await connection.fetchrow(GET_HOLD + (" FOR UPDATE" if lock else ""), hold_id, houses)
    if row is None:
        return None
    return await attach_hold(session, row)


async def attach_hold(session: AsyncSession, row: raw.Row) -> Hold:
    """The session's Hold for a row that selected HOLD_COLUMNS."""
    return await raw.attach(session, raw.build_from(Hold, row))


async def get_hold(session: AsyncSession, hold_id: uuid.UUID, *, lock: bool = False) -> Hold | None:
    return await _read_hold(session, hold_id, None, lock)


async def get_staff_hold(
    session: AsyncSession, hold_id: uuid.UUID, principal: Principal, *, lock: bool = False
) -> Hold | None:
    return await _read_hold(session, hold_id, scope_param(principal), lock)


@dataclass(frozen=True)
class HeldPlace:
    """A place in a basket (an allocation row), as the selling path reads it."""

    id: uuid.UUID
    house_id: uuid.UUID
    cluster_id: uuid.UUID
    performance_id: uuid.UUID
    seat_key: str | None
    area_code: str | None
    zone_code: str
    quantity: int
    status: str


# HeldPlace's fields are columns of allocation (tests/db/test_raw.py checks it).
PLACE_FIELDS = tuple(f.name for f in fields(HeldPlace))
PLACE_COLUMNS = raw.select_list(PLACE_FIELDS)


def held_place(row: raw.Row) -> HeldPlace:
    """The HeldPlace in a row that selected PLACE_COLUMNS."""
    return HeldPlace(**{name: row[name] for name in PLACE_FIELDS})


HOLD_ITEMS = f"""
    SELECT {PLACE_COLUMNS} FROM allocation WHERE hold_id = $1
    ORDER BY performance_id, seat_key, area_code
"""


async def hold_items(session: AsyncSession, hold_id: uuid.UUID) -> list[HeldPlace]:
    connection = await raw.connection(session)
    return [held_place(r) for r in await connection.fetch(HOLD_ITEMS, hold_id)]


def set_hold_status(session: AsyncSession, hold: Hold, status: str) -> None:
    """Deferred: sent with the request's next plain statement or its commit."""
    now = clock.now()
    raw.defer(
        session, "UPDATE hold SET status = $2, updated_at = $3 WHERE id = $1", hold.id, status, now
    )
    raw.mirror(hold, status=status, updated_at=now)


CLOSE_BASKETS = """
    UPDATE hold SET status = 'closed', closed_performance_id = $1, updated_at = $2
    WHERE status = 'active' AND id IN (
        SELECT hold_id FROM allocation
        WHERE performance_id = $1 AND status = 'held' AND hold_id IS NOT NULL
    )
    RETURNING id
"""


async def close_baskets(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> list[uuid.UUID]:
    """Close the open baskets holding places of this performance (each waits for a
    checkout that has it locked: a basket that became an order meanwhile stays one)."""
    connection = await raw.connection(session)
    return [r["id"] for r in await connection.fetch(CLOSE_BASKETS, performance_id, now)]


CLOSED_BY = f"""
    SELECT {SALE_TARGET_COLUMNS}
    FROM hold h JOIN performance p ON p.id = h.closed_performance_id
    JOIN event e ON e.id = p.event_id
    WHERE h.id = $1
"""


async def closed_by(session: AsyncSession, hold_id: uuid.UUID) -> SaleTarget | None:
    """The cancelled performance that closed this basket."""
    connection = await raw.connection(session)
    row = await connection.fetchrow(CLOSED_BY, hold_id)
    return None if row is None else sale_target_of(row)


# --- taking places ------------------------------------------------------------------------


CLEAR_EXPIRED_SEATS = """
    DELETE FROM allocation
    WHERE performance_id = $1 AND seat_key = ANY($2::text[])
      AND status = 'held' AND expires_at <= $3
"""

INSERT_SEATS = """
    INSERT INTO allocation (id, created_at, updated_at, house_id, cluster_id, performance_id,
                            hold_id, status, expires_at, quantity, seat_key, zone_code)
    SELECT id, $1, $1, $2, $3, $4, $5, $6, $7, 1, seat_key, zone_code
    FROM unnest($8::uuid[], $9::text[], $10::text[]) AS t(id, seat_key, zone_code)
    ON CONFLICT (performance_id, seat_key) WHERE seat_key IS NOT NULL DO NOTHING
    RETURNING id, seat_key
"""


@dataclass(frozen=True)
class NewPlaces:
    """Places to take for one performance: who takes them and until when."""

    house_id: uuid.UUID
    cluster_id: uuid.UUID
    performance_id: uuid.UUID
    hold_id: uuid.UUID | None
    status: str
    expires_at: datetime | None

    def place(self, place_id: uuid.UUID, **where: Any) -> HeldPlace:
        return HeldPlace(
            id=place_id,
            house_id=self.house_id,
            cluster_id=self.cluster_id,
            performance_id=self.performance_id,
            status=self.status,
            seat_key=where.get("seat_key"),
            area_code=where.get("area_code"),
            zone_code=where["zone_code"],
            quantity=where.get("quantity", 1),
        )


# A new basket and all its seats in one statement, which fails as a whole when a seat is
# taken (podium_require raises SQLSTATE PD001).
TAKE_SEATS_NEW_HOLD = f"""
    WITH new_hold AS ({raw.insert_sql(Hold, HOLD_COLUMNS, first=12)}),
    taken AS ({INSERT_SEATS})
    SELECT podium_require(count(*) = $11, 'seats-taken') AS kept,
           array_agg(id) AS ids, array_agg(seat_key) AS seat_keys
    FROM taken
"""
REFUSED = "PD001"  # raised by podium_require: the statement kept nothing
LIVE_SEATS = """
    SELECT seat_key FROM allocation
    WHERE performance_id = $1 AND seat_key = ANY($2::text[])
      AND (status <> 'held' OR expires_at > $3)
"""


def _seat_args(
    places: NewPlaces, seats: dict[str, str], keys: list[str], now: datetime
) -> tuple[Any, ...]:
    """The parameters of INSERT_SEATS."""
    return (
        now,
        places.house_id,
        places.cluster_id,
        places.performance_id,
        places.hold_id,
        places.status,
        places.expires_at,
        [uuid.uuid4() for _ in keys],
        keys,
        [seats[k] for k in keys],
    )


async def take_seats(
    session: AsyncSession,
    places: NewPlaces,
    seats: dict[str, str],
    now: datetime,
    *,
    clear_expired: bool = True,
    new_hold: Hold | None = None,
) -> tuple[list[HeldPlace], set[str]]:
    """Take these seats (key -> price zone) or none of them. Returns the places taken, or
    the keys someone else has.

    Keys are taken in one sorted order by every transaction, inside a savepoint: a partial
    take is rolled back to the savepoint, which also frees the seats for whoever waits on
    them, so retries never hold seats while waiting for others (no deadlock). Expired holds
    on the seats no longer count and are removed first (clear_expired=False when the
    caller knows there are none).

    With new_hold (a basket made by this request that holds nothing else) and no
    transaction begun yet, the basket and its seats are one statement of their own: it
    keeps everything or nothing, and whoever wants the same seats waits for that one
    statement only, not for the rest of this request."""
    keys = sorted(seats)
    if new_hold is not None:
        alone = await raw.single(session)
        if alone.commits_alone():
            return await _take_seats_alone(alone, places, seats, keys, now, clear_expired, new_hold)
    # A savepoint of plain SQL, begun and ended here: nothing of the ORM happens inside
    # it, so the session need not know of it (and the seat take stays short).
    connection = await raw.connection(session)  # sends deferred writes before it
    await connection.execute("SAVEPOINT take_seats")
    try:
        if new_hold is not None:
            # Inside the savepoint: a lost try takes the basket back too.
            await connection.execute(INSERT_HOLD, *raw.values(new_hold, HOLD_COLUMNS))
        if clear_expired:
            await connection.execute(CLEAR_EXPIRED_SEATS, places.performance_id, keys, now)
        rows = await connection.fetch(INSERT_SEATS, *_seat_args(places, seats, keys, now))
    except BaseException:
        await connection.execute("ROLLBACK TO SAVEPOINT take_seats")
        raise
    taken = {r["seat_key"]: r["id"] for r in rows}
    lost = set(keys) - set(taken)
    if lost:
        await connection.execute("ROLLBACK TO SAVEPOINT take_seats")
        return [], lost
    await connection.execute("RELEASE SAVEPOINT take_seats")
    return [places.place(taken[k], seat_key=k, zone_code=seats[k]) for k in keys], set()


async def _take_seats_alone(
    connection: raw.Sql,
    places: NewPlaces,
    seats: dict[str, str],
    keys: list[str],
    now: datetime,
    clear_expired: bool,
    new_hold: Hold,
) -> tuple[list[HeldPlace], set[str]]:
    if clear_expired:
        # Commits on its own: the seats of expired holds go back, as the sweep would do.
        await connection.execute(CLEAR_EXPIRED_SEATS, places.performance_id, keys, now)
    try:
        row = await connection.fetchrow(
            TAKE_SEATS_NEW_HOLD,
            *_seat_args(places, seats, keys, now),
            len(keys),
            *raw.values(new_hold, HOLD_COLUMNS),
        )
    except PostgresError as error:
        if error.sqlstate != REFUSED:
            raise
        # Nothing was kept; tell which seats are someone else's.
        live = await connection.fetch(LIVE_SEATS, places.performance_id, keys, now)
        return [], {r["seat_key"] for r in live} or set(keys)
    assert row is not None
    taken = dict(zip(row["seat_keys"], row["ids"], strict=True))
    return [places.place(taken[k], seat_key=k, zone_code=seats[k]) for k in keys], set()


# Expired holds of the area are freed and the places counted in if they fit.
_STANDING_TAKEN = """
    WITH expired AS (
        DELETE FROM allocation
        WHERE performance_id = $1 AND area_code = $2 AND status = 'held' AND expires_at <= $3
        RETURNING quantity
    ), freed AS (SELECT coalesce(sum(quantity), 0) AS n FROM expired),
    taken AS (
        UPDATE standing_stock SET used = used - freed.n + $4
        FROM freed
        WHERE performance_id = $1 AND area_code = $2 AND used - freed.n + $4 <= capacity
        RETURNING 1
    )"""
_PLACE_STANDING = """
    INSERT INTO allocation (id, created_at, updated_at, house_id, cluster_id, performance_id,
                            hold_id, status, expires_at, quantity, area_code, zone_code)
    SELECT $5, $3, $3, $6, $7, $1, $8, $9, $10, $4, $2, $11 FROM taken
    RETURNING id"""
TAKE_STANDING = _STANDING_TAKEN + _PLACE_STANDING

# The same for a new basket holding only these places, as a statement of its own (outside
# any transaction): it stores the basket too, and fails as a whole when the places do not
# fit (podium_require raises SQLSTATE PD001), so the expired holds it freed are only
# gone together with the places counted for them.
TAKE_STANDING_NEW_HOLD = f"""{_STANDING_TAKEN},
    new_hold AS (
        INSERT INTO hold ({raw.select_list(HOLD_COLUMNS)})
        SELECT {", ".join(f"${12 + i}" for i in range(len(HOLD_COLUMNS)))} FROM taken
    ),
    placed AS ({_PLACE_STANDING})
    SELECT podium_require(count(*) = 1, 'sold-out') FROM placed
"""


def standing_args(
    places: NewPlaces, area: str, zone: str, quantity: int, now: datetime, place_id: uuid.UUID
) -> tuple[Any, ...]:
    """The parameters of TAKE_STANDING (and of the race test's plain insert)."""
    return (
        places.performance_id,
        area,
        now,
        quantity,
        place_id,
        places.house_id,
        places.cluster_id,
        places.hold_id,
        places.status,
        places.expires_at,
        zone,
    )


async def take_standing(
    session: AsyncSession,
    places: NewPlaces,
    area: str,
    zone: str,
    quantity: int,
    now: datetime,
    *,
    new_hold: Hold | None = None,
) -> HeldPlace | None:
    """Count places into a standing area if they fit (expired holds freed first) and
    record them as one allocation, in one statement; None when they do not fit.

    With new_hold (a basket made by this request that holds nothing else), the basket is
    stored by the same statement, which then commits on its own if the request has
    written nothing before."""
    connection = await (raw.connection(session) if new_hold is None else raw.single(session))
    place_id = uuid.uuid4()
    args = standing_args(places, area, zone, quantity, now, place_id)
    if new_hold is not None:
        try:
            await connection.execute(
                TAKE_STANDING_NEW_HOLD, *args, *raw.values(new_hold, HOLD_COLUMNS)
            )
        except PostgresError as error:
            if error.sqlstate != REFUSED:
                raise
            return None
    elif await connection.fetchval(TAKE_STANDING, *args) is None:
        return None
    return places.place(place_id, area_code=area, zone_code=zone, quantity=quantity)


SEAT_STATES = """
    SELECT seat_key, status <> 'held' OR expires_at > $2 AS live FROM allocation
    WHERE performance_id = $1 AND seat_key IS NOT NULL
"""


async def seat_states(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> tuple[set[str], set[str]]:
    """(seats taken: sold, blocked or held by a live hold; seats whose hold expired)."""
    connection = await raw.single(session)
    live: set[str] = set()
    expired: set[str] = set()
    for row in await connection.fetch(SEAT_STATES, performance_id, now):
        (live if row["live"] else expired).add(row["seat_key"])
    return live, expired


async def ensure_stock(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.exec(pg_insert(StandingStock).values(rows).on_conflict_do_nothing())


# --- releasing places ---------------------------------------------------------------------


@dataclass(frozen=True)
class Released:
    """A deleted allocation, as far as releasing it matters."""

    performance_id: uuid.UUID
    area_code: str | None
    quantity: int
    hold_id: uuid.UUID | None


async def delete_allocations(session: AsyncSession, condition: Any) -> list[Released]:
    """Delete allocations matching condition, give standing places back, and return what
    was deleted."""
    result = await session.exec(
        delete(Allocation)
        .where(condition)
        .returning(
            col(Allocation.performance_id),
            col(Allocation.area_code),
            col(Allocation.quantity),
            col(Allocation.hold_id),
        )
    )
    rows = [Released(**r) for r in result.mappings().all()]
    freed: dict[tuple[uuid.UUID, str], int] = {}
    for row in rows:
        if row.area_code is not None:
            where = (row.performance_id, row.area_code)
            freed[where] = freed.get(where, 0) + row.quantity
    for (performance_id, area), quantity in sorted(freed.items()):
        await _free_standing(session, performance_id, area, quantity)
    await changes.places_changed(session, (r.performance_id for r in rows))
    return rows


async def _free_standing(
    session: AsyncSession, performance_id: uuid.UUID, area: str, quantity: int
) -> None:
    await session.exec(
        update(StandingStock)
        .where(
            col(StandingStock.performance_id) == performance_id,
            col(StandingStock.area_code) == area,
        )
        .values(used=StandingStock.used - quantity)
    )


async def give_back(session: AsyncSession, allocation_id: uuid.UUID, places: int) -> None:
    """Give back some places of one allocation: a seat, or part of a standing allocation
    (the allocation goes when nothing is left of it)."""
    allocation = await session.get(Allocation, allocation_id, with_for_update=True)
    if allocation is None:
        return
    if allocation.area_code is not None and allocation.quantity > places:
        allocation.quantity -= places
        session.add(allocation)
        await _free_standing(session, allocation.performance_id, allocation.area_code, places)
        await changes.places_changed(session, [allocation.performance_id])
    else:
        await delete_allocations(session, col(Allocation.id) == allocation_id)


def expired_condition(now: datetime) -> Any:
    return and_(col(Allocation.status) == HELD, col(Allocation.expires_at) <= now)


async def expire_holds(session: AsyncSession, now: datetime) -> int:
    result = await session.exec(
        update(Hold)
        .where(col(Hold.status) == "active", col(Hold.expires_at) <= now)
        .values(status="expired")
    )
    return int(result.rowcount or 0)


# --- availability -------------------------------------------------------------------------


async def live_seats(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> list[tuple[str, str]]:
    """(seat key, status) of every seat that is sold, blocked or held by a live hold."""
    stmt = select(Allocation.seat_key, Allocation.status).where(
        Allocation.performance_id == performance_id,
        col(Allocation.seat_key).is_not(None),
        (col(Allocation.status) != HELD) | (col(Allocation.expires_at) > now),
    )
    return [(str(k), str(s)) for k, s in (await session.exec(stmt)).all()]


async def standing_use(
    session: AsyncSession, performance_id: uuid.UUID, now: datetime
) -> dict[str, int]:
    """Places in use per standing area, not counting holds that have expired."""
    expired = (
        select(func.coalesce(func.sum(Allocation.quantity), 0))
        .where(
            Allocation.performance_id == StandingStock.performance_id,
            Allocation.area_code == StandingStock.area_code,
            col(Allocation.status) == HELD,
            col(Allocation.expires_at) <= now,
        )
        .scalar_subquery()
    )
    stmt = select(StandingStock.area_code, StandingStock.used - expired).where(
        StandingStock.performance_id == performance_id
    )
    return {str(a): int(u) for a, u in (await session.exec(stmt)).all()}


async def set_hold_expiry(session: AsyncSession, hold: Hold) -> None:
    await session.exec(
        update(Allocation)
        .where(col(Allocation.hold_id) == hold.id, col(Allocation.status) == HELD)
        .values(expires_at=hold.expires_at)
    )
