"""Door scanning over HTTP: devices registered by a house admin, the devices' own routes
(scan, offline upload, kit) and the live counts for staff."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery, JSONBody

from ticketing.checkin import scanning, service
from ticketing.checkin.scanning import Device
from ticketing.checkin.schemas import DeviceCreated, DeviceIn, DeviceOut, OfflineUploadIn, ScanIn
from ticketing.checkin.views import device_created, device_out
from ticketing.core.openapi import DEVICE_SCHEME
from ticketing.events.models import Performance
from ticketing.tenancy.auth import bearer_token
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import get_scoped

ScanningDevice = NamedDependency[Device]


class DeviceController(Controller):
    path = "/houses/{house_id:uuid}/scanner-devices"
    tags = ["scanning"]

    @post("/", summary="Register a door device for performances and gates (house admin)")
    async def register(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID], data: JSONBody[DeviceIn]
    ) -> DeviceCreated:
        device, token = await service.register_device(db, principal, house_id, data)
        return device_created(device, token)

    @get("/", summary="The house's door devices")
    async def list_devices(
        self, db: Db, principal: Caller, house_id: FromPath[uuid.UUID]
    ) -> list[DeviceOut]:
        devices = await service.list_devices(db, principal, house_id)
        return [device_out(d) for d in devices]

    @post("/{device_id:uuid}/revoke", summary="Revoke a device's token", status_code=200)
    async def revoke(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        device_id: FromPath[uuid.UUID],
    ) -> DeviceOut:
        device = await service.revoke_device(db, principal, house_id, device_id)
        return device_out(device)


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
