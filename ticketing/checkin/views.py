"""Door devices as the API shows them."""

from __future__ import annotations

from ticketing.checkin.models import ScannerDevice
from ticketing.checkin.schemas import DeviceCreated, DeviceOut


def device_out(device: ScannerDevice) -> DeviceOut:
    return DeviceOut.model_validate(device)


def device_created(device: ScannerDevice, token: str) -> DeviceCreated:
    return DeviceCreated(**device_out(device).model_dump(), token=token)
