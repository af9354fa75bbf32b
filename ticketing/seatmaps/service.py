"""Saving seat maps: validate, then store as the hall's next version."""

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


async def save_layout(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID, doc: LayoutDocument
) -> SeatMapLayout:
    hall = await get_scoped(session, Hall, hall_id, principal, what="Hall")
    authorize(principal, hall.house_id, MANAGE)
    check_layout(doc)
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


async def generate_and_save(
    session: AsyncSession, principal: Principal, hall_id: uuid.UUID, spec: GeneratorSpec
) -> SeatMapLayout:
    return await save_layout(session, principal, hall_id, generate_layout(spec))
