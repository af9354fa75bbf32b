"""Door scanning over HTTP: devices registered by a house admin, the devices' own routes
(scan, offline upload, kit) and the live counts for staff."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import Field, StringConstraints
from sqlmodel import col, select

from ticketing import clock
from ticketing.core.errors import InvalidInput, NotFound
from ticketing.core.openapi import DEVICE_SCHEME
from ticketing.core.schemas import In, Out
from ticketing.core.times import Moment
from ticketing.events.models import Performance
from ticketing.tenancy.auth import bearer_token
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import authorize, get_house, get_scoped
from ticketing.tickets import scanning
from ticketing.tickets.models import ScannerDevice
from ticketing.tickets.scanning import Device

ScanningDevice = NamedDependency[Device]
Gate = Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)]


class DeviceIn(In):
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    performance_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    gates: list[Gate] = Field(default_factory=lambda: ["main"], min_length=1, max_length=20)


class DeviceOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    name: str
    performance_ids: list[uuid.UUID]
    gates: list[str]
    created_at: datetime
    revoked_at: datetime | None


class DeviceCreated(DeviceOut):
    token: str = Field(description="Shown once: the device signs in with it (Bearer dev_...).")


class ScanIn(In):
    qr: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    gate: Gate | None = None
    direction: Literal["in", "out"] = "in"
    performance_id: uuid.UUID | None = Field(
        default=None, description="The performance at this door; default: any of the device's."
    )


class OfflineScanIn(ScanIn):
    nonce: Annotated[str, StringConstraints(min_length=8, max_length=64, pattern=r"^[\w-]+$")]
    scanned_at: Moment


class OfflineUploadIn(In):
    scans: list[OfflineScanIn] = Field(min_length=1, max_length=500)


class DeviceController(Controller):
    path = "/houses/{house_id:uuid}/scanner-devices"
    tags = ["scanning"]

    @post("/", summary="Register a door device for performances and gates (house admin)")
    async def register(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID], data: JSONBody[DeviceIn]
    ) -> DeviceCreated:
        house = await get_house(db, house_id, principal)
        authorize(principal, house.id)
        wanted = set(data.performance_ids)
        found = set(
            (
                await db.exec(
                    select(Performance.id).where(
                        col(Performance.id).in_(wanted), Performance.house_id == house.id
                    )
                )
            ).all()
        )
        if found != wanted:
            raise InvalidInput.field(
                "performance_ids", "Some of these performances are not this house's."
            )
        device, token = scanning.register(
            house.id, house.cluster_id, data.name, sorted(wanted), list(dict.fromkeys(data.gates))
        )
        db.add(device)
        await db.flush()
        return DeviceCreated(**DeviceOut.model_validate(device).model_dump(), token=token)

    @get("/", summary="The house's door devices")
    async def list_devices(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> list[DeviceOut]:
        house = await get_house(db, house_id, principal)
        rows = await db.exec(
            select(ScannerDevice)
            .where(ScannerDevice.house_id == house.id)
            .order_by(col(ScannerDevice.created_at))
        )
        return [DeviceOut.model_validate(d) for d in rows.all()]

    @post("/{device_id:uuid}/revoke", summary="Revoke a device's token", status_code=200)
    async def revoke(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        device_id: FromPath[uuid.UUID],
    ) -> DeviceOut:
        device = await get_scoped(db, ScannerDevice, device_id, principal, what="Device")
        if device.house_id != house_id:
            raise NotFound("Device not found.")
        authorize(principal, device.house_id)
        if device.revoked_at is None:
            device.revoked_at = clock.now()
            db.add(device)
            await db.flush()
        scanning.forget_devices()
        return DeviceOut.model_validate(device)


async def provide_device(request: Request[Any, Any, Any], db: Db) -> Device:
    token = bearer_token(request.headers)
    device = None if token is None else await scanning.device_for_token(db, token)
    if device is None:
        # Litestar drops the cleanup of the dependencies it resolved already (`db`) when a
        # later one raises: the unit of work would keep its connection, inside a
        # transaction, until the garbage collector closed it from another task. Close it
        # here, so a flood of unknown tokens holds no connection.
        await db.close()
        raise NotAuthorizedException("This device is not registered, or its token was revoked.")
    return device


class ScannerController(Controller):
    """The routes a door device calls, with its own token (Bearer dev_...)."""

    path = "/scanner"
    tags = ["scanning"]
    opt = {"exclude_from_auth": True}
    security = [{DEVICE_SCHEME: []}]
    dependencies = {"device": Provide(provide_device)}

    @post("/scans", summary="Scan a code: admitted (or let out) once, or why not", status_code=200)
    async def scan(self, db: Db, device: ScanningDevice, data: JSONBody[ScanIn]) -> dict[str, Any]:
        answer = await scanning.scan(
            db,
            device,
            data.qr,
            gate=data.gate,
            direction=data.direction,
            performance_id=data.performance_id,
        )
        return answer.body()

    @post(
        "/offline-scans",
        summary="Upload scans made offline (each once, by its nonce)",
        status_code=200,
    )
    async def upload(
        self, db: Db, device: ScanningDevice, data: JSONBody[OfflineUploadIn]
    ) -> dict[str, Any]:
        answers = await scanning.upload(db, device, [s.model_dump() for s in data.scans])
        return {"results": [a.body() for a in answers]}

    @get("/kit", summary="Public keys, revoked tickets and performances, to check offline")
    async def kit(
        self, db: Db, device: ScanningDevice, tickets: FromQuery[bool] = False
    ) -> dict[str, Any]:
        return await scanning.kit(db, device, with_tickets=tickets)


class AdmissionController(Controller):
    path = "/performances/{performance_id:uuid}/admissions"
    tags = ["scanning"]

    @get("/", summary="Live counts at the door: admitted / expected, per gate, and conflicts")
    async def admissions(
        self, db: Db, principal: Caller, performance_id: FromPath[uuid.UUID]
    ) -> dict[str, Any]:
        performance = await get_scoped(
            db, Performance, performance_id, principal, what="Performance"
        )
        return await scanning.counts(db, performance.id)


CONTROLLERS = [DeviceController, ScannerController, AdmissionController]
