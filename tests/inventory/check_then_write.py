"""The check-then-write that must never be used, for the race demonstration of
tests/inventory/test_concurrency.py only. Production code does not carry it.

Taking places here reads in Python whether they are free, waits a moment (so the
demonstration shows every time) and then writes: two buyers at the same moment both see
the place free. `install()` puts these two functions in place of the repository's
`take_seats` and `take_standing` (the way pretix confines its skip-locking switch to one
function).

Run as a script, it is `podium` (`ticketing.cli`) with them installed, in the API
processes too: `podium serve` starts those with multiprocessing's spawn, which runs this
script again in each of them (as `__mp_main__`) before the app is built.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.db import raw
from ticketing.inventory import repository
from ticketing.inventory.models import Hold, StandingStock
from ticketing.inventory.repository import HeldPlace, NewPlaces

# Widens the gap between the check and the write so the demonstration shows every time.
WINDOW_SECONDS = 0.02

# A plain insert: the unique index is dropped for the demonstration.
INSERT_SEATS = repository.INSERT_SEATS.replace(
    "ON CONFLICT (performance_id, seat_key) WHERE seat_key IS NOT NULL DO NOTHING", ""
)
INSERT_STANDING = """
    INSERT INTO allocation (id, created_at, updated_at, house_id, cluster_id, performance_id,
                            hold_id, status, expires_at, quantity, area_code, zone_code)
    VALUES ($5, $3, $3, $6, $7, $1, $8, $9, $10, $4, $2, $11)
"""


async def take_seats(
    session: AsyncSession,
    places: NewPlaces,
    seats: dict[str, str],
    now: datetime,
    *,
    clear_expired: bool = True,
    new_hold: Hold | None = None,
) -> tuple[list[HeldPlace], set[str]]:
    if new_hold is not None:
        await repository.insert_hold(session, new_hold)
    keys = sorted(seats)
    connection = await raw.connection(session)
    rows = await connection.fetch(
        "SELECT seat_key FROM allocation WHERE performance_id = $1 AND seat_key = ANY($2)",
        places.performance_id,
        keys,
    )
    taken = {r["seat_key"] for r in rows}
    free = [k for k in keys if k not in taken]
    await asyncio.sleep(WINDOW_SECONDS)
    if not free:
        return [], set(keys)
    ids = [uuid.uuid4() for _ in free]
    await connection.execute(
        INSERT_SEATS,
        now,
        places.house_id,
        places.cluster_id,
        places.performance_id,
        places.hold_id,
        places.status,
        places.expires_at,
        ids,
        free,
        [seats[k] for k in free],
    )
    found = [
        places.place(i, seat_key=k, zone_code=seats[k]) for i, k in zip(ids, free, strict=True)
    ]
    return found, set(keys) - set(free)


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
    if new_hold is not None:
        await repository.insert_hold(session, new_hold)
    stock = (
        await session.exec(
            select(StandingStock).where(
                StandingStock.performance_id == places.performance_id,
                StandingStock.area_code == area,
            )
        )
    ).first()
    if stock is None or stock.used + quantity > stock.capacity:
        return None
    await asyncio.sleep(WINDOW_SECONDS)
    await session.exec(
        update(StandingStock)
        .where(
            col(StandingStock.performance_id) == places.performance_id,
            col(StandingStock.area_code) == area,
        )
        .values(used=stock.used + quantity)
    )
    place_id = uuid.uuid4()
    connection = await raw.connection(session)
    await connection.execute(
        INSERT_STANDING, *repository.standing_args(places, area, zone, quantity, now, place_id)
    )
    return places.place(place_id, area_code=area, zone_code=zone, quantity=quantity)


def install() -> None:
    repository.take_seats = take_seats
    repository.take_standing = take_standing


if __name__ in ("__main__", "__mp_main__"):
    install()

if __name__ == "__main__":
    from ticketing.cli import main

    sys.exit(main(sys.argv[1:]))
