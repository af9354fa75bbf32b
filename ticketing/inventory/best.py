"""Best available seats: which seats the shop offers for "n tickets, zone X".

Pure: the caller passes the layout and the keys of the seats that are held, sold or blocked
right now; nothing here reads the database. The rules, in order of priority:

1. only free seats of the requested zone; seats flagged ``blocked`` are never offered;
2. wheelchair spaces and companion seats only for wheelchair requests, which get exactly one
   wheelchair space with the other seats next to it, companion seats first;
3. all seats side by side in one row (an aisle gap separates seats);
4. nearest the centre of the stage's front edge, restricted-view seats counting extra;
5. no single free seat left stranded between the block and a taken seat, an aisle or the
   row's end, whenever another choice avoids it;
6. when no row can seat everyone together: as few blocks as possible, each as close as
   possible to the ones already chosen, down to single seats.

Cost: one pass over the seats to bound each row's distance to the stage, then rows are
examined nearest first and the search stops as soon as no further row can beat the best
block found; each examined row is scanned once per block size (O(seats x quantity) at
worst, in the split fallback).
"""

import math
from collections.abc import Iterator, Set
from functools import cached_property
from typing import Final

from ticketing.seatmaps.layout import LayoutDocument, Row, SeatFlag, seat_key

MIN_QUANTITY: Final = 1
MAX_QUANTITY: Final = 20
AISLE_GAP: Final = 1.6
"""Consecutive seats whose centres are further apart than this (in seat sizes) have an aisle
between them: the generator leaves a one-seat gap at aisles, so they are about 2.3 apart."""
RESTRICTED_VIEW_PENALTY: Final = 2.0
"""Extra distance, in seat sizes, that each restricted-view seat adds to a block's score."""

# Scores are compared in seat sizes rounded to a hundredth: generated layouts round their
# coordinates to a thousandth of a seat size, and that noise must not decide between mirror
# images (e.g. the wheelchair spaces at both ends of a row); document order does.
_DIGITS: Final = 2

_RESERVED: Final = frozenset({SeatFlag.WHEELCHAIR, SeatFlag.COMPANION})


def offerable(doc: LayoutDocument, *, accessible: bool = False) -> list[str]:
    """Keys of the seats that may be offered at all, in document order.

    Blocked seats never are; wheelchair spaces and companion seats only to wheelchair users
    (``accessible``), who may also take ordinary seats next to their space.
    """
    return [
        key
        for key, _section, _row, seat in doc.iter_seats()
        if SeatFlag.BLOCKED not in seat.flags and (accessible or _RESERVED.isdisjoint(seat.flags))
    ]


def best_available(
    doc: LayoutDocument,
    unavailable: Set[str],
    *,
    quantity: int,
    zone: str | None = None,
    accessible: bool = False,
    plan: "HallPlan | None" = None,
) -> list[str] | None:
    """The best ``quantity`` free seats, or None when the request cannot be satisfied.

    ``unavailable`` holds the keys of the seats held, sold or blocked right now. ``zone``
    restricts the answer to one price zone; an unknown zone gives None. With ``accessible``
    the answer holds exactly one wheelchair space and ``quantity - 1`` seats beside it in its
    row (companion seats first), or is None when no free wheelchair space has that room.
    Otherwise the seats are side by side in one row when any row can seat them all, else
    split over as few blocks as possible; None only when fewer than ``quantity`` seats are
    free. Keys are in document order: section, row, left to right. ``plan`` is the doc's
    `HallPlan` when the caller keeps one (it is the same for every request on a layout).
    """
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise ValueError(
            f"quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY} seats, got {quantity}."
        )
    if zone is not None and zone not in doc.zone_codes():
        return None
    hall = _Hall(plan or HallPlan(doc), unavailable, zone=zone, accessible=accessible)
    if accessible:
        return hall.best_wheelchair_block(quantity)
    block = hall.best_block(quantity)
    if block is not None:
        return block
    return hall.split(quantity)


class _RowPlan:
    """What every request sees the same in one row: keys, positions, flags, neighbours."""

    def __init__(self, plan: "HallPlan", position: int, order: int, section: str, row: Row) -> None:
        self.position = position  # index of the row in document order
        self.order = order  # document-order index of the row's first seat
        prefix = seat_key(section, row.label, "")  # "SECTION/ROW/"
        seats = row.seats
        self.keys = [prefix + seat.label for seat in seats]
        self.zones = [seat.zone for seat in seats]
        self.xs = [seat.x for seat in seats]
        self.ys = [seat.y for seat in seats]
        # Every block's centroid lies inside the row's bounding box, so the box's distance
        # to the reference point bounds the score of any block of this row from below.
        ref_x, ref_y = plan.reference
        dx = max(min(self.xs) - ref_x, 0.0, ref_x - max(self.xs))
        dy = max(min(self.ys) - ref_y, 0.0, ref_y - max(self.ys))
        self.bound = plan.rounded(math.hypot(dx, dy))
        self.restricted = [SeatFlag.RESTRICTED_VIEW in seat.flags for seat in seats]
        self.wheelchair = [SeatFlag.WHEELCHAIR in seat.flags for seat in seats]
        self.companion = [SeatFlag.COMPANION in seat.flags for seat in seats]
        # Whether a seat may be offered at all: never when blocked; reserved seats only to
        # wheelchair requests (None: no flags, always).
        self.offer: list[tuple[bool, bool] | None] = [
            None
            if not seat.flags
            else (SeatFlag.BLOCKED not in seat.flags, _RESERVED.isdisjoint(seat.flags))
            for seat in seats
        ]
        limit = (AISLE_GAP * plan.seat_size) ** 2
        xs, ys = self.xs, self.ys
        # joined[i]: seat i sits right next to seat i - 1, with no aisle between.
        self.joined = [False] + [
            (x - previous_x) ** 2 + (y - previous_y) ** 2 <= limit
            for previous_x, previous_y, x, y in zip(xs, ys, xs[1:], ys[1:], strict=False)
        ]
        self._in_zone: dict[str | None, list[bool]] = {}

    def in_zone(self, zone: str | None) -> list[bool]:
        found = self._in_zone.get(zone)
        if found is None:
            found = self._in_zone[zone] = [zone is None or z == zone for z in self.zones]
        return found


class HallPlan:
    """The parts of a layout that best available reads for every request, worked out once
    per layout (the layout cache keeps it with the layout; layouts never change)."""

    def __init__(self, doc: LayoutDocument) -> None:
        self.seat_size = doc.seat_size
        stage = doc.stage
        self.reference = (
            (stage.x + stage.width / 2, stage.y + stage.height)
            if stage is not None
            else (doc.width / 2, 0.0)
        )
        self.rows: list[_RowPlan] = []
        order = 0
        for section in doc.sections:
            for row in section.rows:
                if row.seats:
                    self.rows.append(_RowPlan(self, len(self.rows), order, section.code, row))
                order += len(row.seats)
        self.nearest_first = sorted(self.rows, key=lambda row: (row.bound, row.order))

    def rounded(self, distance: float) -> float:
        return round(distance / self.seat_size, _DIGITS)


class _RowView:
    """One row as seen by one request: which seats it may take."""

    def __init__(self, hall: "_Hall", plan: _RowPlan) -> None:
        self.hall = hall
        self.position = plan.position
        self.order = plan.order
        self.bound = plan.bound
        self.keys = plan.keys
        self.xs = plan.xs
        self.ys = plan.ys
        self.restricted = plan.restricted
        self.wheelchair = plan.wheelchair
        self.companion = plan.companion
        self.joined = plan.joined
        self.plan = plan

    @cached_property
    def in_zone(self) -> list[bool]:
        return self.plan.in_zone(self.hall.zone)

    @cached_property
    def free(self) -> list[bool]:
        """Seats this request may take, in any zone: they delimit the runs (rule 5)."""
        unavailable = self.hall.unavailable
        accessible = self.hall.accessible
        return [
            key not in unavailable and (offer is None or (offer[0] and (accessible or offer[1])))
            for key, offer in zip(self.keys, self.plan.offer, strict=True)
        ]

    @cached_property
    def runs(self) -> list[tuple[int, int]]:
        """Maximal stretches ``[start, end)`` of free seats side by side."""
        runs: list[tuple[int, int]] = []
        start: int | None = None
        for i, (free, joined) in enumerate(zip(self.free, self.joined, strict=True)):
            if not free:
                if start is not None:
                    runs.append((start, i))
                start = None
            elif start is None:
                start = i
            elif not joined:
                runs.append((start, i))
                start = i
        if start is not None:
            runs.append((start, len(self.free)))
        return runs

    @cached_property
    def stretches(self) -> list[tuple[int, int, int, int]]:
        """Parts ``(start, end, run_start, run_end)`` of the runs that lie in the zone."""
        in_zone = self.in_zone
        parts: list[tuple[int, int, int, int]] = []
        if not any(in_zone):
            return parts  # spares looking up the seats of rows outside the zone
        for run_start, run_end in self.runs:
            i = run_start
            while i < run_end:
                if not in_zone[i]:
                    i += 1
                    continue
                j = i
                while j < run_end and in_zone[j]:
                    j += 1
                parts.append((i, j, run_start, run_end))
                i = j
        return parts

    @cached_property
    def largest(self) -> int:
        return max((end - start for start, end, _, _ in self.stretches), default=0)

    @cached_property
    def free_in_zone(self) -> int:
        return sum(end - start for start, end, _, _ in self.stretches)

    def windows(self, size: int) -> Iterator[tuple[int, bool]]:
        """Every block of ``size`` free seats of the zone side by side, as (first seat,
        whether taking it strands a single free seat of its run)."""
        for start, end, run_start, run_end in self.stretches:
            for first in range(start, end - size + 1):
                orphan = first - run_start == 1 or run_end - (first + size) == 1
                yield first, orphan

    def centroid(self, first: int, size: int) -> tuple[float, float]:
        last = first + size
        return sum(self.xs[first:last]) / size, sum(self.ys[first:last]) / size

    def penalty(self, first: int, size: int) -> float:
        count = sum(self.restricted[first : first + size])
        return count * RESTRICTED_VIEW_PENALTY * self.hall.plan.seat_size

    def score(self, first: int, size: int) -> float:
        """Rule 4: distance of the block's centroid to the stage, plus view penalties."""
        x, y = self.centroid(first, size)
        ref_x, ref_y = self.hall.plan.reference
        return self.hall.plan.rounded(math.hypot(x - ref_x, y - ref_y) + self.penalty(first, size))

    def take(self, first: int, size: int) -> None:
        """Mark a block as taken by this request; the runs are recomputed on next use."""
        free = self.free
        for i in range(first, first + size):
            free[i] = False
        for name in ("runs", "stretches", "largest", "free_in_zone"):
            self.__dict__.pop(name, None)


class _Hall:
    """The rows of a layout for one request."""

    def __init__(
        self,
        plan: HallPlan,
        unavailable: Set[str],
        *,
        zone: str | None,
        accessible: bool,
    ) -> None:
        self.unavailable = unavailable
        self.zone = zone
        self.accessible = accessible
        self.plan = plan
        self.rows = [_RowView(self, row) for row in plan.rows]

    def nearest_first(self) -> list[_RowView]:
        return [self.rows[row.position] for row in self.plan.nearest_first]

    def best_block(self, quantity: int) -> list[str] | None:
        """Rules 3 to 5: the best block of ``quantity`` seats side by side in one row."""
        best: tuple[bool, float, int] | None = None
        best_row: _RowView | None = None
        best_first = 0
        for row in self.nearest_first():
            if best is not None and not best[0] and row.bound > best[1]:
                break  # no block of this row or any further row beats an orphan-free block
            for first, orphan in row.windows(quantity):
                key = (orphan, row.score(first, quantity), row.order + first)
                if best is None or key < best:
                    best, best_row, best_first = key, row, first
        if best_row is None:
            return None
        return best_row.keys[best_first : best_first + quantity]

    def best_wheelchair_block(self, quantity: int) -> list[str] | None:
        """Rule 2: one wheelchair space and ``quantity - 1`` seats beside it, companion seats
        preferred, then the orphan and distance rules as for any block."""
        best: tuple[int, bool, float, int] | None = None
        best_row: _RowView | None = None
        best_first = 0
        for row in self.nearest_first():
            # Only a block with every companion seat it can hold and no orphan can end the
            # search: a further row might still offer more companion seats.
            if (
                best is not None
                and -best[0] == quantity - 1
                and not best[1]
                and row.bound > best[2]
            ):
                break
            if not any(row.wheelchair):
                continue
            wheelchair, companion = row.wheelchair, row.companion
            for start, end, run_start, run_end in row.stretches:
                for space in range(start, end):
                    if not wheelchair[space]:
                        continue
                    for first in range(
                        max(start, space - quantity + 1), min(space, end - quantity) + 1
                    ):
                        last = first + quantity
                        if sum(wheelchair[first:last]) != 1:
                            continue
                        orphan = first - run_start == 1 or run_end - last == 1
                        key = (
                            -sum(companion[first:last]),
                            orphan,
                            row.score(first, quantity),
                            row.order + first,
                        )
                        if best is None or key < best:
                            best, best_row, best_first = key, row, first
        if best_row is None:
            return None
        return best_row.keys[best_first : best_first + quantity]

    def split(self, quantity: int) -> list[str] | None:
        """Rule 6: no row seats everyone together, so take the largest block that any row
        still has (the best-scoring one first, then the one nearest those already chosen)
        until everyone is seated; blocks shrink down to single seats as rows fill up."""
        if sum(row.free_in_zone for row in self.rows) < quantity:
            return None
        chosen: list[tuple[int, int]] = []  # (row position, seat index)
        sum_x = sum_y = 0.0
        remaining = quantity
        while remaining:
            size = min(remaining, max(row.largest for row in self.rows))
            best: tuple[bool, float, float, int] | None = None
            best_row: _RowView | None = None
            best_first = 0
            for row in self.rows:
                if row.largest < size:
                    continue
                for first, orphan in row.windows(size):
                    score = row.score(first, size)
                    if chosen:
                        x, y = row.centroid(first, size)
                        near = math.hypot(x - sum_x / len(chosen), y - sum_y / len(chosen))
                        closeness = self.plan.rounded(near + row.penalty(first, size))
                    else:
                        closeness = score
                    key = (orphan, closeness, score, row.order + first)
                    if best is None or key < best:
                        best, best_row, best_first = key, row, first
            # The total check above guarantees a block: every free seat is one of size 1.
            assert best_row is not None
            best_row.take(best_first, size)
            for i in range(best_first, best_first + size):
                chosen.append((best_row.position, i))
                sum_x += best_row.xs[i]
                sum_y += best_row.ys[i]
            remaining -= size
        return [self.rows[position].keys[i] for position, i in sorted(chosen)]
