"""Layouts indexed for selling. A layout version never changes once saved, so each
process may keep its index: this is a cache of immutable data, not shared state."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import NotFound
from ticketing.inventory.best import HallPlan
from ticketing.seatmaps.layout import LayoutDocument, PriceZone, SeatFlag, StandingArea
from ticketing.seatmaps.models import SeatMapLayout

_MAX = 512


@dataclass(frozen=True)
class SeatInfo:
    key: str
    zone: str
    flags: frozenset[SeatFlag]


@dataclass(frozen=True)
class LayoutIndex:
    layout_id: uuid.UUID
    doc: LayoutDocument
    seats: dict[str, SeatInfo]
    areas: dict[str, StandingArea]
    zones: dict[str, PriceZone]
    hall: HallPlan  # what best available reads for every request
    # Places that can be sold: seats the layout does not block, and the standing areas.
    sellable: int

    def seats_in_zone(self, zone: str) -> int:
        return sum(1 for s in self.seats.values() if s.zone == zone)


_cache: OrderedDict[uuid.UUID, LayoutIndex] = OrderedDict()


def index_layout(layout_id: uuid.UUID, doc: LayoutDocument) -> LayoutIndex:
    seats = {
        key: SeatInfo(key, seat.zone, frozenset(seat.flags)) for key, _, _, seat in doc.iter_seats()
    }
    return LayoutIndex(
        layout_id=layout_id,
        doc=doc,
        seats=seats,
        areas={a.code: a for a in doc.standing_areas},
        zones={z.code: z for z in doc.price_zones},
        hall=HallPlan(doc),
        sellable=sum(1 for seat in seats.values() if SeatFlag.BLOCKED not in seat.flags)
        + sum(area.capacity for area in doc.standing_areas),
    )


async def layout_index(session: AsyncSession, layout_id: uuid.UUID) -> LayoutIndex:
    cached = _cache.get(layout_id)
    if cached is not None:
        _cache.move_to_end(layout_id)
        return cached
    layout = await session.get(SeatMapLayout, layout_id)
    if layout is None:
        raise NotFound("Seat map not found.")
    index = index_layout(layout.id, LayoutDocument.model_validate(layout.document))
    _cache[layout_id] = index
    if len(_cache) > _MAX:
        _cache.popitem(last=False)
    return index
