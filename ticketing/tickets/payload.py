"""What a ticket's QR code carries: a compact binary payload signed with Ed25519, written
as base45 text (RFC 9285) so the QR code can use its dense alphanumeric mode.

This module and `verify` need nothing of the platform (no database, no settings): a door
device can check a code with them alone.

Layout (big-endian), version 1:

    1   version (1)
    4   key id: the house's signing key
    16  ticket id
    16  performance id
    4   valid from (Unix seconds)
    4   valid until (Unix seconds)
    1   flags (bit 0: the tariff needs a check at the door)
    1+n place: a seat key or a standing area code (UTF-8, at most 60 bytes)
    1+n tariff code (UTF-8, at most 16 bytes)
    64  Ed25519 signature of everything before it

The QR text is "PD1:" followed by the base45 of those bytes: about 190 characters, which
fits a version 8 QR code at error correction level M (up to version 10 for the
longest place and tariff).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "PD1:"
VERSION = 1
SIGNATURE_BYTES = 64
NEEDS_CHECK = 0x01
_HEAD = struct.Struct(">BI16s16sIIB")

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_VALUE = {c: i for i, c in enumerate(BASE45)}


class Malformed(ValueError):
    """The text is not a Podium ticket code, or it was damaged."""


def b45encode(data: bytes) -> str:
    out: list[str] = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (BASE45[c], BASE45[d], BASE45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (BASE45[c], BASE45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    try:
        values = [_VALUE[c] for c in text]
    except KeyError as exc:
        raise Malformed("not base45") from exc
    out = bytearray()
    full = len(values) - len(values) % 3
    for i in range(0, full, 3):
        n = values[i] + values[i + 1] * 45 + values[i + 2] * 2025
        if n > 0xFFFF:
            raise Malformed("not base45")
        out += n.to_bytes(2, "big")
    rest = len(values) - full
    if rest == 2:
        n = values[full] + values[full + 1] * 45
        if n > 0xFF:
            raise Malformed("not base45")
        out.append(n)
    elif rest == 1:
        raise Malformed("not base45")
    return bytes(out)


@dataclass(frozen=True, slots=True)
class TicketClaims:
    key_id: int
    ticket_id: uuid.UUID
    performance_id: uuid.UUID
    valid_from: datetime
    valid_until: datetime
    needs_check: bool
    place: str
    tariff: str


def _short(value: str, limit: int, what: str) -> bytes:
    data = value.encode()
    if len(data) > limit:
        raise ValueError(f"{what} is longer than {limit} bytes")
    return bytes([len(data)]) + data


def signed_part(claims: TicketClaims) -> bytes:
    """The bytes the signature covers."""
    return (
        _HEAD.pack(
            VERSION,
            claims.key_id,
            claims.ticket_id.bytes,
            claims.performance_id.bytes,
            int(claims.valid_from.timestamp()),
            int(claims.valid_until.timestamp()),
            NEEDS_CHECK if claims.needs_check else 0,
        )
        + _short(claims.place, 60, "place")
        + _short(claims.tariff, 16, "tariff")
    )


def encode(signed: bytes, signature: bytes) -> str:
    if len(signature) != SIGNATURE_BYTES:
        raise ValueError("an Ed25519 signature has 64 bytes")
    return PREFIX + b45encode(signed + signature)


def decode(text: str) -> tuple[TicketClaims, bytes, bytes]:
    """The claims, the signed bytes and the signature of a QR text (nothing verified)."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise Malformed("not a Podium ticket")
    data = b45decode(text[len(PREFIX) :])
    if len(data) < _HEAD.size + 2 + SIGNATURE_BYTES:
        raise Malformed("too short")
    version, key_id, ticket, performance, start, end, flags = _HEAD.unpack_from(data)
    if version != VERSION:
        raise Malformed("unknown version")
    at = _HEAD.size
    place_length = data[at]
    place = data[at + 1 : at + 1 + place_length]
    at += 1 + place_length
    if at >= len(data):
        raise Malformed("truncated")
    tariff_length = data[at]
    tariff = data[at + 1 : at + 1 + tariff_length]
    at += 1 + tariff_length
    if len(data) - at != SIGNATURE_BYTES:
        raise Malformed("wrong length")
    try:
        claims = TicketClaims(
            key_id=key_id,
            ticket_id=uuid.UUID(bytes=ticket),
            performance_id=uuid.UUID(bytes=performance),
            valid_from=datetime.fromtimestamp(start, UTC),
            valid_until=datetime.fromtimestamp(end, UTC),
            needs_check=bool(flags & NEEDS_CHECK),
            place=place.decode(),
            tariff=tariff.decode(),
        )
    except UnicodeDecodeError as exc:
        raise Malformed("damaged text") from exc
    return claims, data[:at], data[at:]
