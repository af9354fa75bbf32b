"""Live availability of a performance, for the seat map and the programme: one query for
the seats in use, one for the standing areas; the layout comes from the process cache."""

from __future__ import annotations

from collections import Counter

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.events import repository as events_repo
from ticketing.events.models import Performance
from ticketing.inventory import repository as repo
from ticketing.inventory.layouts import layout_index
from ticketing.inventory.models import AllocationStatus
from ticketing.inventory.schemas import AvailabilityOut, StandingAvailability, ZoneAvailability
from ticketing.seatmaps.layout import SeatFlag
from ticketing.seatmaps.svg import render_svg


async def availability(session: AsyncSession, performance: Performance) -> AvailabilityOut:
    now = clock.now()
    index = await layout_index(session, performance.layout_id)
    live = await repo.live_seats(session, performance.id, now)
    by_status: dict[str, list[str]] = {s: [] for s in AllocationStatus}
    for key, status in live:
        by_status[status].append(key)
    in_use = {key for key, _ in live}
    prices = {
        p.zone_code: p.amount_cents for p in await events_repo.prices_of(session, [performance.id])
    }
    total: Counter[str] = Counter()
    free: Counter[str] = Counter()
    for key, seat in index.seats.items():
        if SeatFlag.BLOCKED in seat.flags:
            continue
        total[seat.zone] += 1
        if key not in in_use:
            free[seat.zone] += 1
    used = await repo.standing_use(session, performance.id, now)
    return AvailabilityOut(
        performance_id=performance.id,
        status=performance.status,
        layout_id=performance.layout_id,
        zones=[
            ZoneAvailability(
                zone=z.code,
                name=z.name,
                color=z.color,
                price_cents=prices.get(z.code),
                seats_total=total[z.code],
                seats_available=free[z.code],
            )
            for z in index.zones.values()
            if total[z.code]
        ],
        standing=[
            StandingAvailability(
                area=a.code,
                name=a.name,
                zone=a.zone,
                capacity=a.capacity,
                available=max(0, a.capacity - used.get(a.code, 0)),
            )
            for a in index.areas.values()
        ],
        held=sorted(by_status[AllocationStatus.HELD]),
        sold=sorted(by_status[AllocationStatus.SOLD]),
        blocked=sorted(by_status[AllocationStatus.BLOCKED]),
    )


async def availability_svg(session: AsyncSession, performance: Performance) -> str:
    index = await layout_index(session, performance.layout_id)
    live = await repo.live_seats(session, performance.id, clock.now())
    return render_svg(index.doc, dict(live))
