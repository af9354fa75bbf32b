"""At the door: devices, the online scan, offline uploads, the kit and live counts.

An online scan is one round trip and, past the signature check, one statement: it locks
the ticket's row, decides, changes it and records the scan. Two devices scanning the same
ticket at the same moment therefore queue on that row, and the second sees the first's
admission: a ticket is admitted once.

An offline scan was already decided by the device (with `verify.Verifier` and its kit).
Uploaded later, it goes through the same statement with its nonce: an upload sent twice
is recorded once, and a ticket the server had already admitted (online, or by another
device's upload) is recorded as a conflict for staff to see, never as a second admission.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asyncpg.exceptions import UniqueViolationError
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.checkin.models import ScannerDevice
from ticketing.checkin.verify import Reason, Verdict, Verifier, unreadable
from ticketing.core.errors import Conflict, InvalidInput
from ticketing.core.security import new_secret, sha256_hex
from ticketing.core.ttl_cache import TtlCache
from ticketing.db import raw
from ticketing.tickets.payload import Malformed, TicketClaims, decode

DEVICE_TOKEN_PREFIX = "dev_"  # noqa: S105 - a marker, not a secret
DEVICE_CACHE_SECONDS = 5.0
KEYS_REFRESH_SECONDS = 2.0


@dataclass(frozen=True)
class Device:
    id: uuid.UUID
    house_id: uuid.UUID
    cluster_id: uuid.UUID
    name: str
    performance_ids: frozenset[uuid.UUID]
    gates: tuple[str, ...]


def new_device_token() -> str:
    return DEVICE_TOKEN_PREFIX + new_secret(32)


# --- devices ------------------------------------------------------------------------------

_devices: TtlCache[str, Device, float] = TtlCache(max_entries=10_000)


def forget_devices() -> None:
    """A device changed or was revoked through this process: read them again."""
    _devices.clear()


_DEVICE = """
    SELECT id, house_id, cluster_id, name, performance_ids, gates FROM scanner_device
    WHERE token_hash = $1 AND revoked_at IS NULL
"""


async def device_for_token(session: AsyncSession, token: str) -> Device | None:
    """The device a token belongs to (None: unknown or revoked). Kept for a few seconds per
    process: a revocation made elsewhere takes that long to reach every API process."""
    if not token.startswith(DEVICE_TOKEN_PREFIX):
        return None
    token_hash = sha256_hex(token)
    now = time.monotonic()
    found = _devices.get(token_hash, now)
    if found is not None:
        return found
    generation = _devices.generation
    row = await (await raw.single(session)).fetchrow(_DEVICE, token_hash)
    if row is None:
        return None
    device = Device(
        id=row["id"],
        house_id=row["house_id"],
        cluster_id=row["cluster_id"],
        name=row["name"],
        performance_ids=frozenset(row["performance_ids"]),
        gates=tuple(row["gates"]),
    )
    _devices.put(token_hash, device, now + DEVICE_CACHE_SECONDS, generation=generation)
    return device


def register(
    house_id: uuid.UUID,
    cluster_id: uuid.UUID,
    name: str,
    performance_ids: list[uuid.UUID],
    gates: list[str],
) -> tuple[ScannerDevice, str]:
    token = new_device_token()
    device = ScannerDevice(
        house_id=house_id,
        cluster_id=cluster_id,
        name=name,
        token_hash=sha256_hex(token),
        performance_ids=performance_ids,
        gates=gates,
    )
    return device, token


# --- public keys --------------------------------------------------------------------------


_NO_KEYS = Verifier({})


class _Keys:
    """The public keys this process has met, per house. A key id not met yet is looked up
    once; one that does not exist is not looked up again for a few seconds, so a flood of
    made-up ids costs one indexed read each at most."""

    def __init__(self) -> None:
        self.houses: dict[uuid.UUID, dict[int, bytes]] = {}
        self.verifiers: dict[uuid.UUID, Verifier] = {}
        self.known: set[int] = set()
        self.missing: TtlCache[int, bool, float] = TtlCache(max_entries=10_000)

    async def verifier(self, session: AsyncSession, house_id: uuid.UUID, key_id: int) -> Verifier:
        if key_id not in self.known and self.missing.get(key_id, time.monotonic()) is None:
            await self._look_up(session, key_id)
        return self.verifiers.get(house_id) or _NO_KEYS

    async def _look_up(self, session: AsyncSession, key_id: int) -> None:
        row = await (await raw.single(session)).fetchrow(
            "SELECT house_id, public_key FROM signing_key WHERE key_id = $1", key_id
        )
        if row is None:
            generation = self.missing.generation
            self.missing.put(
                key_id, True, time.monotonic() + KEYS_REFRESH_SECONDS, generation=generation
            )
            return
        keys = self.houses.setdefault(row["house_id"], {})
        keys[key_id] = bytes(row["public_key"])
        self.verifiers[row["house_id"]] = Verifier(keys)
        self.known.add(key_id)


_keys = _Keys()


# --- the scan -----------------------------------------------------------------------------

# $1 ticket, $2 performance (from the code), $3 direction, $4 when scanned, $5 gate,
# $6 device, $7 scan id, $8 the device's house, $9 offline, $10 nonce, $11 now.
_ADMIT = """
    WITH seen AS (
        SELECT 1 FROM scan WHERE $10::text IS NOT NULL AND device_id = $6 AND nonce = $10
    ), t AS (
        SELECT t.id, t.status, t.inside, t.admitted_at, t.performance_id, t.last_scan_at,
               t.last_gate, t.last_device_id, p.reentry
        FROM ticket t JOIN performance p ON p.id = t.performance_id
        WHERE t.id = $1 AND t.house_id = $8 AND NOT EXISTS (SELECT 1 FROM seen)
        FOR UPDATE OF t
    ), verdict AS (
        SELECT t.*, CASE
            WHEN t.status <> 'valid' THEN 'revoked'
            WHEN t.performance_id <> $2 THEN 'wrong_performance'
            WHEN $3 = 'in' AND t.inside THEN 'already_admitted'
            WHEN $3 = 'in' AND t.admitted_at IS NOT NULL AND NOT t.reentry
                THEN 'already_admitted'
            -- An offline scan from before the ticket's last change is history: recorded,
            -- it changes nothing (an exit at 19:30 online stands against an entry at
            -- 19:10 uploaded later).
            WHEN $9 AND t.last_scan_at IS NOT NULL AND $4 < t.last_scan_at THEN 'superseded'
            WHEN $3 = 'out' AND NOT t.reentry THEN 'no_reentry'
            WHEN $3 = 'out' AND NOT t.inside THEN 'not_inside'
        END AS refusal
        FROM t
    ), changed AS (
        UPDATE ticket SET inside = ($3 = 'in'), admitted_at = coalesce(ticket.admitted_at, $4),
            last_scan_at = $4, last_gate = $5, last_device_id = $6, updated_at = $11
        FROM verdict v WHERE ticket.id = v.id AND v.refusal IS NULL
        RETURNING ticket.id
    ), logged AS (
        INSERT INTO scan (id, at, received_at, house_id, performance_id, ticket_id, device_id,
                          gate, direction, result, reason, offline, nonce)
        SELECT $7, $4, $11, $8, $2, v.id, $6, $5, $3,
            CASE WHEN v.refusal IS NULL THEN CASE WHEN $3 = 'in' THEN 'admitted' ELSE 'exited' END
                 WHEN v.refusal = 'superseded' THEN 'late'
                 -- Offline, the device let them in (or out) already: staff must see it.
                 WHEN $9 THEN 'conflict'
                 ELSE 'refused' END,
            v.refusal, $9, $10
        FROM verdict v
    )
    SELECT EXISTS (SELECT 1 FROM seen) AS seen, v.id, v.refusal, v.admitted_at,
           v.last_scan_at, v.last_gate, d.name AS last_device
    FROM (SELECT 1) one
    LEFT JOIN verdict v ON true
    LEFT JOIN scanner_device d ON d.id = v.last_device_id
"""

# A scan refused before its ticket was read (the code itself, or no such ticket).
# Returns nothing when the device sent this nonce before.
_LOG_REFUSED = """
    INSERT INTO scan (id, at, received_at, house_id, performance_id, ticket_id, device_id,
                      gate, direction, result, reason, offline, nonce)
    SELECT $1, $2, $3, $4, p.id, t.id, $7, $8, $9, $13, $10, $11, $12
    FROM (SELECT 1) one
    LEFT JOIN performance p ON p.id = $5 AND p.house_id = $4
    LEFT JOIN ticket t ON t.id = $6 AND t.house_id = $4
    ON CONFLICT (device_id, nonce) DO NOTHING
    RETURNING id
"""


@dataclass(frozen=True)
class ScanAnswer:
    result: str  # admitted, exited, refused, conflict, duplicate
    reason: str | None
    claims: TicketClaims | None
    first_at: datetime | None = None  # already admitted: when, where, by which device
    first_gate: str | None = None
    first_device: str | None = None

    def body(self) -> dict[str, Any]:
        ticket = None
        if self.claims is not None:
            ticket = {
                "id": str(self.claims.ticket_id),
                "performance_id": str(self.claims.performance_id),
                "place": self.claims.place,
                "tariff": self.claims.tariff,
                "needs_check": self.claims.needs_check,
            }
        previous = None
        if self.first_at is not None:
            previous = {
                "at": self.first_at.isoformat(),
                "gate": self.first_gate,
                "device": self.first_device,
            }
        return {
            "result": self.result,
            "ok": self.result in ("admitted", "exited"),
            "reason": self.reason,
            "ticket": ticket,
            "previous": previous,
        }


def _gate(device: Device, gate: str | None) -> str:
    if gate is None:
        return device.gates[0] if device.gates else "main"
    if device.gates and gate not in device.gates:
        raise InvalidInput.field("gate", f"This device scans at {', '.join(device.gates)}.")
    return gate


def _where(device: Device, gate: str | None, performance_id: uuid.UUID | None) -> str:
    """The gate the scan is at (checked against the device's), and its performance."""
    if performance_id is not None and performance_id not in device.performance_ids:
        raise InvalidInput.field("performance_id", "This device does not scan this performance.")
    return _gate(device, gate)


async def scan(
    session: AsyncSession,
    device: Device,
    qr: str,
    *,
    gate: str | None = None,
    direction: str = "in",
    performance_id: uuid.UUID | None = None,
    at: datetime | None = None,
    nonce: str | None = None,
) -> ScanAnswer:
    """Check a code and admit (or let out) its ticket, once; offline scans give `at` (when
    the device scanned) and their `nonce`."""
    gate = _where(device, gate, performance_id)
    now = clock.now()
    offline = nonce is not None
    verdict = await _check(session, device, qr, performance_id, at or now)
    if not verdict.ok:
        return await _refused(
            session, device, verdict.reason, verdict.claims, gate, direction, at or now, nonce
        )
    claims = verdict.claims
    assert claims is not None
    row = await (await raw.single(session)).fetchrow(
        _ADMIT,
        claims.ticket_id,
        claims.performance_id,
        direction,
        at or now,
        gate,
        device.id,
        uuid.uuid4(),
        device.house_id,
        offline,
        nonce,
        now,
    )
    assert row is not None  # _ADMIT answers one row, whatever it decided
    if row["seen"]:
        return ScanAnswer("duplicate", None, claims)
    if row["id"] is None:
        # Signed by the house, but no such ticket (any more) in its records.
        return await _refused(
            session, device, Reason.UNKNOWN, claims, gate, direction, at or now, nonce
        )
    refusal = row["refusal"]
    if refusal is None:
        return ScanAnswer("admitted" if direction == "in" else "exited", None, claims)
    if refusal == "superseded":
        return ScanAnswer("late", refusal, claims)
    previous = refusal == "already_admitted"
    return ScanAnswer(
        "conflict" if offline else "refused",
        refusal,
        claims,
        first_at=row["last_scan_at"] if previous else None,
        first_gate=row["last_gate"] if previous else None,
        first_device=row["last_device"] if previous else None,
    )


async def _refused(
    session: AsyncSession,
    device: Device,
    reason: Reason,
    claims: TicketClaims | None,
    gate: str,
    direction: str,
    at: datetime,
    nonce: str | None,
) -> ScanAnswer:
    """Record a scan refused on its code alone. Offline, the device let someone through
    already: that is a conflict for staff to see."""
    offline = nonce is not None
    result = "conflict" if offline else "refused"
    stored = await (await raw.single(session)).fetchval(
        _LOG_REFUSED,
        uuid.uuid4(),
        at,
        clock.now(),
        device.house_id,
        claims.performance_id if claims else None,
        claims.ticket_id if claims else None,
        device.id,
        gate,
        direction,
        reason.value,
        offline,
        nonce,
        result,
    )
    if stored is None:
        return ScanAnswer("duplicate", None, claims)
    return ScanAnswer(result, reason.value, claims)


async def _check(
    session: AsyncSession,
    device: Device,
    qr: str,
    performance_id: uuid.UUID | None,
    now: datetime,
) -> Verdict:
    try:
        decoded = decode(qr)  # read once: its key id says which key checks the signature
    except Malformed:
        return unreadable(qr)
    verifier = await _keys.verifier(session, device.house_id, decoded[0].key_id)
    verdict = verifier.check_decoded(*decoded, now=now, performance_id=performance_id)
    if (
        verdict.ok
        and verdict.claims
        and verdict.claims.performance_id not in device.performance_ids
    ):
        return Verdict(Reason.WRONG_PERFORMANCE, verdict.claims)
    return verdict


async def upload(
    session: AsyncSession, device: Device, scans: list[dict[str, Any]]
) -> list[ScanAnswer]:
    """Record a device's offline scans, in the order they were scanned. Every scan is
    checked for its gate and performance before any is recorded."""
    for n, item in enumerate(scans):
        try:
            _where(device, item.get("gate"), item.get("performance_id"))
        except InvalidInput as exc:
            (error,) = exc.errors
            raise InvalidInput.field(f"scans[{n}].{error.field}", error.message) from exc
    answers = []
    try:
        for item in sorted(scans, key=lambda s: s["scanned_at"]):
            answers.append(
                await scan(
                    session,
                    device,
                    item["qr"],
                    gate=item.get("gate"),
                    direction=item.get("direction", "in"),
                    performance_id=item.get("performance_id"),
                    at=item["scanned_at"],
                    nonce=item["nonce"],
                )
            )
    except UniqueViolationError as exc:
        # The same upload is being recorded by another request right now. Each scan is
        # recorded on its own (one statement): sending them again records what is left.
        raise Conflict("These scans are being uploaded already; send them again.") from exc
    return answers


# --- the offline kit and counts -----------------------------------------------------------

_KIT_PERFORMANCES = """
    SELECT p.id, p.starts_at, p.ends_at, p.reentry, e.title
    FROM performance p JOIN event e ON e.id = p.event_id
    WHERE p.id = ANY($1::uuid[]) AND p.house_id = $2
    ORDER BY p.starts_at
"""
_KIT_KEYS = """
    SELECT key_id, public_key FROM signing_key
    WHERE house_id = $1 AND (retired_at IS NULL OR key_id IN (
        SELECT DISTINCT key_id FROM ticket
        WHERE performance_id = ANY($2::uuid[]) AND key_id IS NOT NULL))
    ORDER BY created_at
"""
_KIT_REVOKED = """
    SELECT id FROM ticket
    WHERE performance_id = ANY($1::uuid[]) AND qr IS NOT NULL AND status <> 'valid'
    ORDER BY id
"""
_KIT_TICKETS = """
    SELECT id, performance_id, seat_key, area_code, tariff_code,
           admitted_at IS NOT NULL AS admitted, inside
    FROM ticket WHERE performance_id = ANY($1::uuid[]) AND status = 'valid' AND qr IS NOT NULL
    ORDER BY id
"""


async def kit(session: AsyncSession, device: Device, *, with_tickets: bool) -> dict[str, Any]:
    """What a device needs to check codes with the network gone."""
    connection = await raw.single(session)
    ids = sorted(device.performance_ids)
    performances = await connection.fetch(_KIT_PERFORMANCES, ids, device.house_id)
    keys = await connection.fetch(_KIT_KEYS, device.house_id, ids)
    revoked = await connection.fetch(_KIT_REVOKED, ids)
    body: dict[str, Any] = {
        "generated_at": clock.now().isoformat(),
        "device": {"id": str(device.id), "name": device.name, "gates": list(device.gates)},
        "performances": [
            {
                "id": str(p["id"]),
                "title": p["title"],
                "starts_at": p["starts_at"].isoformat(),
                "ends_at": p["ends_at"].isoformat(),
                "reentry": p["reentry"],
            }
            for p in performances
        ],
        "keys": [
            {"key_id": k["key_id"], "public_key": base64.b64encode(k["public_key"]).decode()}
            for k in keys
        ],
        "revoked": [str(r["id"]) for r in revoked],
    }
    if with_tickets:
        rows = await connection.fetch(_KIT_TICKETS, ids)
        body["tickets"] = [
            {
                "id": str(r["id"]),
                "performance_id": str(r["performance_id"]),
                "place": r["seat_key"] or r["area_code"],
                "tariff": r["tariff_code"],
                "admitted": r["admitted"],
                "inside": r["inside"],
            }
            for r in rows
        ]
    return body


_COUNTS = text(
    """
    SELECT count(*) FILTER (WHERE status = 'valid') AS expected,
           count(*) FILTER (WHERE status = 'valid' AND admitted_at IS NOT NULL) AS admitted,
           count(*) FILTER (WHERE status = 'valid' AND inside) AS inside
    FROM ticket WHERE performance_id = :performance_id
    """
)
_PER_GATE = text(
    """
    SELECT gate, count(*) FILTER (WHERE result = 'admitted') AS admitted,
           count(*) FILTER (WHERE result = 'exited') AS exited,
           count(*) FILTER (WHERE result = 'refused') AS refused,
           count(*) FILTER (WHERE result = 'conflict') AS conflicts
    FROM scan WHERE performance_id = :performance_id GROUP BY gate ORDER BY gate
    """
)
_CONFLICTS = text(
    """
    SELECT s.at, s.received_at, s.gate, d.name AS device, s.ticket_id,
           t.seat_key, t.area_code, t.admitted_at, t.last_gate
    FROM scan s JOIN scanner_device d ON d.id = s.device_id
    LEFT JOIN ticket t ON t.id = s.ticket_id
    WHERE s.performance_id = :performance_id AND s.result = 'conflict'
    ORDER BY s.at
    """
)


async def counts(session: AsyncSession, performance_id: uuid.UUID) -> dict[str, Any]:
    connection = await session.connection()
    totals = (await connection.execute(_COUNTS, {"performance_id": performance_id})).one()
    gates = (await connection.execute(_PER_GATE, {"performance_id": performance_id})).all()
    conflicts = (await connection.execute(_CONFLICTS, {"performance_id": performance_id})).all()
    return {
        "performance_id": str(performance_id),
        "expected": totals.expected,
        "admitted": totals.admitted,
        "inside": totals.inside,
        "gates": [
            {
                "gate": g.gate,
                "admitted": g.admitted,
                "exited": g.exited,
                "refused": g.refused,
                "conflicts": g.conflicts,
            }
            for g in gates
        ],
        "conflicts": [
            {
                "at": c.at.isoformat(),
                "received_at": c.received_at.isoformat(),
                "gate": c.gate,
                "device": c.device,
                "ticket_id": str(c.ticket_id) if c.ticket_id else None,
                "place": c.seat_key or c.area_code,
                "admitted_at": c.admitted_at.isoformat() if c.admitted_at else None,
            }
            for c in conflicts
        ],
    }
