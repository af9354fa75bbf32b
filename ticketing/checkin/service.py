"""Door devices: registered by a house admin for performances and gates, listed, revoked.
The scan itself, the offline uploads, the kit and the counts are in scanning.py."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.checkin import repository, scanning
from ticketing.checkin.models import ScannerDevice
from ticketing.checkin.schemas import DeviceIn
from ticketing.core.errors import InvalidInput, NotFound
from ticketing.db.uow import after_commit
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.scoping import authorize, get_house, get_scoped


async def register_device(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, data: DeviceIn
) -> tuple[ScannerDevice, str]:
    """The new device and its token (shown once)."""
    house = await get_house(session, house_id, principal)
    authorize(principal, house.id)
    wanted = set(data.performance_ids)
    if await repository.performances_of_house(session, house.id, wanted) != wanted:
        raise InvalidInput.field(
            "performance_ids", "Some of these performances are not this house's."
        )
    device, token = scanning.register(
        house.id, house.cluster_id, data.name, sorted(wanted), list(dict.fromkeys(data.gates))
    )
    session.add(device)
    await session.flush()
    return device, token


async def list_devices(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID
) -> list[ScannerDevice]:
    house = await get_house(session, house_id, principal)
    return await repository.list_devices(session, principal, house.id)


async def revoke_device(
    session: AsyncSession, principal: Principal, house_id: uuid.UUID, device_id: uuid.UUID
) -> ScannerDevice:
    device = await get_scoped(session, ScannerDevice, device_id, principal, what="Device")
    if device.house_id != house_id:
        raise NotFound("Device not found.")
    authorize(principal, device.house_id)
    if device.revoked_at is None:
        device.revoked_at = clock.now()
        session.add(device)
        await session.flush()
    # Forgotten once the revocation is stored, so no scan in between caches it again.
    after_commit(session, scanning.forget_devices)
    return device
