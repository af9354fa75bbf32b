"""Seat maps: generate and check layouts, and store them as a hall's next version."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core.errors import FieldError, InvalidInput
from ticketing.db.locks import advisory_xact_lock
from ticketing.seatmaps import repository as repo
from ticketing.seatmaps.generator import GeneratorSpec, generate_layout
from ticketing.seatmaps.layout import LayoutDocument
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.seatmaps.validation import validate_layout
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import MANAGE
from ticketing.tenancy.scoping import authorize, get_scoped
from ticketing.venues.models import Hall


def check_layout(doc: LayoutDocument) -> None:
    problems = validate_layout(doc)
    if problems:
        first = problems[0].message
        more = f" ({len(problems) - 1} more problems listed.)" if len(problems) > 1 else ""
        raise InvalidInput(
            f"The seat map cannot be saved: {first}{more}",
            errors=[FieldError(f"document.{p.field}", p.message, p.seat) for p in problems],
        )


def generate(spec: GeneratorSpec) -> LayoutDocument:
    """The layout ``spec`` describes, checked as saving checks it, so that the preview route
    (``POST /seatmaps/generate``, the editor's sections) and the saving route answer the same
    spec with the same document or the same problems."""
    doc = generate_layout(spec)
    check_layout(doc)
    return doc


async def _hall_to_manage(session: AsyncSession, principal: Principal, hall_id: uuid.UUID) -> Hall:
    hall = await get_scoped(session, Hall, hall_id, principal, what="Hall")
    authorize(principal, hall.house_id, MANAGE)
    return hall


async def _store(session: AsyncSession, hall: Hall, doc: LayoutDocument) -> SeatMapLayout:
    """Store a checked layout as the hall's next version."""
    await advisory_xact_lock(session, "seatmap-version", hall.id)
    layout = SeatMapLayout(
        house_id=hall.house_id,
        cluster_id=hall.cluster_id,
        hall_id=hall.id,
        version=await repo.next_version(session, hall.id),
        name=doc.name,
        document=doc.model_dump(mode="json"),
        seat_count=doc.seat_count,
        standing_capacity=doc.standing_capacity,
    )
    session.add(layout)
    await session.flush()
    return layout


async def save_layout(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID, doc: LayoutDocument
) -> SeatMapLayout:
    hall = await _hall_to_manage(session, principal, hall_id)
    check_layout(doc)
    return await _store(session, hall, doc)


async def generate_and_save(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID, spec: GeneratorSpec
) -> SeatMapLayout:
    # The hall first: another house's hall is "not found" before any work is done.
    hall = await _hall_to_manage(session, principal, hall_id)
    return await _store(session, hall, generate(spec))
