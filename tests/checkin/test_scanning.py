"""Door scanning: devices, the online scan and its refusals, re-entry, offline uploads,
live counts, and one admission for 20 devices at once."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fixtures.inventory_setup import MIXED_SPEC, put_on_sale
from fixtures.support import Tenant, assert_problem
from fixtures.tickets_support import run_outbox, sell
from fixtures.world import ok
from PIL import Image
from pyzbar import pyzbar

from ticketing import clock
from ticketing.checkin.verify import Reason, Verifier
from ticketing.db.engine import SessionMaker, create_engine, create_sessionmaker
from ticketing.orders.models import Ticket
from ticketing.tenancy.roles import Role
from ticketing.tickets import payload
from ticketing.tickets.signing import Signer


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.set_clock(None)


async def register(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performances: list[str],
    name: str = "Deur 1",
    gates: list[str] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "performance_ids": performances}
    if gates:
        body["gates"] = gates
    return await ok(
        await client.post(
            f"/houses/{tenant.house.id}/scanner-devices",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json=body,
        )
    )


def device_headers(device: dict[str, Any]) -> dict[str, str]:
    return {"authorization": f"Bearer {device['token']}"}


async def scan(
    client: httpx.AsyncClient, device: dict[str, Any], qr: str, **extra: Any
) -> dict[str, Any]:
    return await ok(
        await client.post(
            "/scanner/scans", headers=device_headers(device), json={"qr": qr, **extra}
        ),
        200,
    )


async def qr_of(client: httpx.AsyncClient, order: dict[str, Any], ticket_id: str) -> str:
    """The code as the buyer's phone shows it, read back with zbar."""
    png = await client.get(
        f"/public/orders/{order['id']}/tickets/{ticket_id}/qr.png",
        params={"secret": order["secret"]},
    )
    assert png.status_code == 200
    (found,) = pyzbar.decode(Image.open(io.BytesIO(png.content)).convert("L"))
    return str(found.data.decode())


async def test_devices_are_registered_by_a_house_admin_and_revoked(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    performance: dict[str, Any],
) -> None:
    path = f"/houses/{tenant.house.id}/scanner-devices"
    body = {"name": "Deur", "performance_ids": [performance["id"]]}
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    assert_problem(await client.post(path, headers=clerk, json=body), 403)
    theirs = await put_on_sale(client, other_tenant, MIXED_SPEC, {"A": 1, "B": 1, "S": 1})
    foreign = await client.post(
        path,
        headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        json={"name": "Deur", "performance_ids": [theirs["id"]]},
    )
    assert_problem(foreign, 422)
    assert foreign.json()["errors"][0]["field"] == "performance_ids"
    device = await register(client, tenant, [performance["id"]], gates=["noord", "zuid"])
    assert device["token"].startswith("dev_")
    listed = await ok(await client.get(path, headers=tenant.staff[Role.HOUSE_ADMIN].headers), 200)
    assert [d["name"] for d in listed] == ["Deur 1"]
    assert "token" not in listed[0]
    kit = await ok(await client.get("/scanner/kit", headers=device_headers(device)), 200)
    assert kit["device"]["gates"] == ["noord", "zuid"]
    assert [p["id"] for p in kit["performances"]] == [performance["id"]]
    # A staff login is not a device; a made-up token neither.
    assert_problem(await client.get("/scanner/kit", headers=clerk), 401)
    assert_problem(
        await client.get("/scanner/kit", headers={"authorization": "Bearer dev_nothing"}), 401
    )
    revoked = await ok(
        await client.post(
            f"{path}/{device['id']}/revoke", headers=tenant.staff[Role.HOUSE_ADMIN].headers
        ),
        200,
    )
    assert revoked["revoked_at"] is not None
    assert_problem(await client.get("/scanner/kit", headers=device_headers(device)), 401)


async def test_a_scan_admits_once_and_every_refusal_says_why(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/1/1", "STALLS/1/2"], email=None)
    other_show = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 10, "B": 10, "S": 10})
    elsewhere = await sell(client, tenant, other_show, seats=["STALLS/1/1"], email=None)
    await run_outbox(sessionmaker)
    first, second = (t["id"] for t in order["tickets"])
    code = await qr_of(client, order, first)
    door = await register(client, tenant, [performance["id"]], gates=["noord"])
    starts = datetime.fromisoformat(performance["starts_at"])
    clock.set_clock(lambda: starts - timedelta(minutes=30))

    admitted = await scan(client, door, code)
    assert admitted["result"] == "admitted"
    assert admitted["ok"] is True
    assert admitted["ticket"]["place"] == "STALLS/1/1"
    assert admitted["ticket"]["id"] == first
    again = await scan(client, door, code)
    assert (again["result"], again["reason"]) == ("refused", "already_admitted")
    assert again["previous"]["gate"] == "noord"
    assert again["previous"]["device"] == "Deur 1"
    assert datetime.fromisoformat(again["previous"]["at"]) == starts - timedelta(minutes=30)

    # One byte changed in the payload: forged.
    raw = bytearray(payload.b45decode(code[4:]))
    raw[30] ^= 0x01
    forged = await scan(client, door, "PD1:" + payload.b45encode(bytes(raw)))
    assert (forged["result"], forged["reason"]) == ("refused", "forged")
    # Signed with a key the house does not have.
    claims, _, _ = payload.decode(code)
    stranger = Signer(claims.key_id ^ 1, Ed25519PrivateKey.generate())
    foreign = await scan(client, door, stranger.sign(replace(claims, key_id=stranger.key_id)))
    assert (foreign["result"], foreign["reason"]) == ("refused", "unknown_key")
    # A cancelled ticket: its code is revoked.
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [second], "refund_method": "cash"},
        ),
        200,
    )
    async with sessionmaker() as session:
        cancelled = await session.get(Ticket, uuid.UUID(second))
        assert cancelled is not None
        assert cancelled.qr is not None
        revoked_code = cancelled.qr
    revoked = await scan(client, door, revoked_code)
    assert (revoked["result"], revoked["reason"]) == ("refused", "revoked")
    # A ticket of another performance than this door's.
    other_code = await qr_of(client, elsewhere, elsewhere["tickets"][0]["id"])
    wrong = await scan(client, door, other_code)
    assert (wrong["result"], wrong["reason"]) == ("refused", "wrong_performance")
    # Not a ticket at all.
    assert (await scan(client, door, "https://example.org"))["reason"] == "unknown"
    # Too early, and too late.
    other_seat = await sell(client, tenant, performance, seats=["STALLS/2/2"], email=None)
    await run_outbox(sessionmaker)
    late_code = await qr_of(client, other_seat, other_seat["tickets"][0]["id"])
    clock.set_clock(lambda: starts - timedelta(hours=7))
    assert (await scan(client, door, late_code))["reason"] == "not_yet_valid"
    clock.set_clock(lambda: datetime.fromisoformat(performance["ends_at"]) + timedelta(hours=3))
    assert (await scan(client, door, late_code))["reason"] == "expired"
    # A gate the device was not given.
    refused_gate = await client.post(
        "/scanner/scans", headers=device_headers(door), json={"qr": code, "gate": "zuid"}
    )
    assert_problem(refused_gate, 422)

    counts = await ok(
        await client.get(
            f"/performances/{performance['id']}/admissions",
            headers=tenant.staff[Role.SCANNER].headers,
        ),
        200,
    )
    assert (counts["expected"], counts["admitted"], counts["inside"]) == (2, 1, 1)
    (gate,) = counts["gates"]
    assert gate["gate"] == "noord"
    assert gate["admitted"] == 1
    assert gate["refused"] >= 5


async def test_exit_and_reentry_only_where_the_performance_allows_it(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await sell(client, tenant, performance, seats=["BALCONY/1/1"], standing=1, email=None)
    await run_outbox(sessionmaker)
    seat, floor = [await qr_of(client, order, t["id"]) for t in order["tickets"]]
    door = await register(client, tenant, [performance["id"]])
    clock.set_clock(lambda: datetime.fromisoformat(performance["starts_at"]))
    first_scan = await scan(client, door, seat)
    assert first_scan["result"] == "admitted", first_scan
    no_exit = await scan(client, door, seat, direction="out")
    assert (no_exit["result"], no_exit["reason"]) == ("refused", "no_reentry")
    await ok(
        await client.patch(
            f"/performances/{performance['id']}",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
            json={"reentry": True},
        ),
        200,
    )
    out = await scan(client, door, seat, direction="out")
    assert out["result"] == "exited"
    assert (await scan(client, door, seat))["result"] == "admitted"  # back in
    assert (await scan(client, door, seat))["reason"] == "already_admitted"  # inside now
    never_in = await scan(client, door, floor, direction="out")
    assert (never_in["result"], never_in["reason"]) == ("refused", "not_inside")
    counts = await ok(
        await client.get(
            f"/performances/{performance['id']}/admissions",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )
    assert (counts["admitted"], counts["inside"]) == (1, 1)
    assert counts["gates"][0]["admitted"] == 2
    assert counts["gates"][0]["exited"] == 1


async def test_offline_scans_uploaded_twice_from_two_devices_admit_once(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/3/3", "STALLS/3/4"], email=None)
    await run_outbox(sessionmaker)
    code, cancelled_code = [await qr_of(client, order, t["id"]) for t in order["tickets"]]
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [order["tickets"][1]["id"]], "refund_method": "cash"},
        ),
        200,
    )
    north = await register(client, tenant, [performance["id"]], name="Noord", gates=["noord"])
    south = await register(client, tenant, [performance["id"]], name="Zuid", gates=["zuid"])
    kit = await ok(
        await client.get("/scanner/kit?tickets=true", headers=device_headers(north)), 200
    )
    assert kit["revoked"] == [order["tickets"][1]["id"]]
    assert {t["id"] for t in kit["tickets"]} == {order["tickets"][0]["id"]}
    # The network is gone: both doors check the same ticket with the kit alone.
    verifier = Verifier.from_kit(kit)
    at = datetime.fromisoformat(performance["starts_at"]) - timedelta(minutes=20)
    assert verifier.check(code, now=at).reason is Reason.VALID
    assert verifier.check(cancelled_code, now=at).reason is Reason.REVOKED

    def upload(device: dict[str, Any], nonce: str, minutes: int) -> Any:
        scanned = (at + timedelta(minutes=minutes)).isoformat()
        return client.post(
            "/scanner/offline-scans",
            headers=device_headers(device),
            json={"scans": [{"nonce": nonce, "qr": code, "scanned_at": scanned}]},
        )

    first = (await ok(await upload(north, "north-0001", 0), 200))["results"]
    assert [r["result"] for r in first] == ["admitted"]
    again = (await ok(await upload(north, "north-0001", 0), 200))["results"]
    assert [r["result"] for r in again] == ["duplicate"]
    other = (await ok(await upload(south, "south-0001", 2), 200))["results"]
    assert [(r["result"], r["reason"]) for r in other] == [("conflict", "already_admitted")]
    assert other[0]["previous"]["device"] == "Noord"
    other_again = (await ok(await upload(south, "south-0001", 2), 200))["results"]
    assert [r["result"] for r in other_again] == ["duplicate"]
    # Online, the ticket is in; staff see one admission and one conflict.
    clock.set_clock(lambda: at + timedelta(minutes=5))
    assert (await scan(client, south, code))["reason"] == "already_admitted"
    counts = await ok(
        await client.get(
            f"/performances/{performance['id']}/admissions",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )
    assert (counts["expected"], counts["admitted"]) == (1, 1)
    (conflict,) = counts["conflicts"]
    assert (conflict["device"], conflict["gate"]) == ("Zuid", "zuid")
    assert conflict["ticket_id"] == order["tickets"][0]["id"]
    by_gate = {g["gate"]: g for g in counts["gates"]}
    assert by_gate["noord"]["admitted"] == 1
    assert by_gate["zuid"]["conflicts"] == 1
    # Bad input changes nothing and names the field.
    bad = await client.post(
        "/scanner/offline-scans",
        headers=device_headers(north),
        json={"scans": [{"nonce": "x", "qr": code, "scanned_at": at.isoformat()}]},
    )
    assert_problem(bad, 400)
    assert "nonce" in bad.text


async def test_twenty_devices_scanning_one_ticket_at_once_admit_it_once(
    committing: tuple[httpx.AsyncClient, Tenant, str],
) -> None:
    client, tenant, database = committing
    performance = await put_on_sale(client, tenant, MIXED_SPEC, {"A": 100, "B": 100, "S": 100})
    order = await sell(client, tenant, performance, seats=["STALLS/1/1"], email=None)
    engine = create_engine(database, pool_size=2)
    try:
        await run_outbox(create_sessionmaker(engine))
    finally:
        await engine.dispose()
    code = await qr_of(client, order, order["tickets"][0]["id"])
    devices = [
        await register(client, tenant, [performance["id"]], name=f"Deur {n}") for n in range(20)
    ]
    clock.set_clock(lambda: datetime.fromisoformat(performance["starts_at"]))
    answers = await asyncio.gather(*(scan(client, device, code) for device in devices))
    results = sorted((a["result"], a["reason"]) for a in answers)
    assert results == [("admitted", None)] + [("refused", "already_admitted")] * 19
    counts = await ok(
        await client.get(
            f"/performances/{performance['id']}/admissions",
            headers=tenant.staff[Role.HOUSE_ADMIN].headers,
        ),
        200,
    )
    assert counts["admitted"] == 1
    assert counts["gates"][0]["admitted"] == 1
    assert counts["gates"][0]["refused"] == 19


async def test_a_device_of_another_house_admits_nothing_of_this_one(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    order = await sell(client, tenant, performance, seats=["STALLS/2/5"], email=None)
    await run_outbox(sessionmaker)
    code = await qr_of(client, order, order["tickets"][0]["id"])
    theirs = await put_on_sale(client, other_tenant, MIXED_SPEC, {"A": 1, "B": 1, "S": 1})
    stranger = await register(client, other_tenant, [theirs["id"]])
    clock.set_clock(lambda: datetime.fromisoformat(performance["starts_at"]))
    answer = await scan(client, stranger, code)
    assert (answer["result"], answer["reason"]) == ("refused", "unknown_key")
    kit = await ok(
        await client.get("/scanner/kit?tickets=true", headers=device_headers(stranger)), 200
    )
    assert order["tickets"][0]["id"] not in str(kit)
    own = await register(client, tenant, [performance["id"]])
    assert (await scan(client, own, code))["result"] == "admitted"


async def test_offline_uploads_keep_the_server_record_straight(
    client: httpx.AsyncClient,
    tenant: Tenant,
    performance: dict[str, Any],
    sessionmaker: SessionMaker,
) -> None:
    """Late, refused and repeated offline scans: each recorded once, none changes what the
    server knows better, and every one the device let through is shown to staff."""
    admin = tenant.staff[Role.HOUSE_ADMIN].headers
    await ok(
        await client.patch(
            f"/performances/{performance['id']}", headers=admin, json={"reentry": True}
        ),
        200,
    )
    order = await sell(
        client, tenant, performance, seats=["BALCONY/1/5", "BALCONY/1/6"], email=None
    )
    await run_outbox(sessionmaker)
    code, revoked_code = [await qr_of(client, order, t["id"]) for t in order["tickets"]]
    north = await register(client, tenant, [performance["id"]], name="Noord", gates=["noord"])
    south = await register(client, tenant, [performance["id"]], name="Zuid", gates=["zuid"])
    starts = datetime.fromisoformat(performance["starts_at"])

    def offline(device: dict[str, Any], nonce: str, qr: str, minutes: int, **extra: Any) -> Any:
        scanned = (starts + timedelta(minutes=minutes)).isoformat()
        item = {"nonce": nonce, "qr": qr, "scanned_at": scanned, **extra}
        return client.post(
            "/scanner/offline-scans", headers=device_headers(device), json={"scans": [item]}
        )

    # Online: in at 19:00, out at 19:30.
    clock.set_clock(lambda: starts)
    assert (await scan(client, north, code))["result"] == "admitted"
    clock.set_clock(lambda: starts + timedelta(minutes=30))
    assert (await scan(client, north, code, direction="out"))["result"] == "exited"
    # An offline entry from 19:10, uploaded now: history, not "inside".
    late = (await ok(await offline(south, "south-late-1", code, 10), 200))["results"]
    assert [(r["result"], r["reason"]) for r in late] == [("late", "superseded")]
    clock.set_clock(lambda: starts + timedelta(minutes=31))
    assert (await scan(client, north, code))["result"] == "admitted"  # back in at 19:31

    # A ticket cancelled after the device took its kit, let in offline: a conflict.
    await ok(
        await client.post(
            f"/orders/{order['id']}/cancel",
            headers=tenant.staff[Role.BOX_OFFICE].headers,
            json={"ticket_ids": [order["tickets"][1]["id"]], "refund_method": "cash"},
        ),
        200,
    )
    cancelled = (await ok(await offline(south, "south-rev-1", revoked_code, 40), 200))["results"]
    assert [(r["result"], r["reason"]) for r in cancelled] == [("conflict", "revoked")]
    # A damaged code let through offline: a conflict too; sent again: recorded once.
    damaged = revoked_code[:-2] + ("00" if not revoked_code.endswith("00") else "11")
    first = (await ok(await offline(south, "south-bad-1", damaged, 41), 200))["results"]
    assert [(r["result"], r["reason"]) for r in first] == [("conflict", "forged")]
    again = (await ok(await offline(south, "south-bad-1", damaged, 41), 200))["results"]
    assert [r["result"] for r in again] == ["duplicate"]
    # Nonces are the device's own: another device may use the same one.
    other = (await ok(await offline(north, "south-bad-1", damaged, 42), 200))["results"]
    assert [r["result"] for r in other] == ["conflict"]
    # One bad scan in an upload: nothing of it is recorded, and the field is named.
    refused = await client.post(
        "/scanner/offline-scans",
        headers=device_headers(south),
        json={
            "scans": [
                {"nonce": "south-ok-01", "qr": code, "scanned_at": starts.isoformat()},
                {
                    "nonce": "south-ok-02",
                    "qr": code,
                    "scanned_at": starts.isoformat(),
                    "gate": "noord",
                },
            ]
        },
    )
    assert_problem(refused, 422)
    assert refused.json()["errors"][0]["field"] == "scans[1].gate"
    retried = (await ok(await offline(south, "south-ok-01", code, 45), 200))["results"]
    assert retried[0]["result"] != "duplicate"  # the refused upload kept nothing

    counts = await ok(
        await client.get(f"/performances/{performance['id']}/admissions", headers=admin), 200
    )
    assert (counts["admitted"], counts["inside"]) == (1, 1)
    # The cancelled ticket, and the entry at 19:45 of a ticket inside since 19:31. (The
    # damaged codes name no performance one could trust: recorded, but not listed here.)
    conflicts = [(c["device"], c["ticket_id"]) for c in counts["conflicts"]]
    assert conflicts == [
        ("Zuid", order["tickets"][1]["id"]),
        ("Zuid", order["tickets"][0]["id"]),
    ]
