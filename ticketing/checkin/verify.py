"""Checking a ticket's QR code without the database: the offline verifier.

A door device downloads its kit (`GET /scanner/kit`: the houses' public keys, the
revoked tickets and its performances) and checks every code with `Verifier.check`. The
server's online scan uses the same check before it looks at the ticket's row. Nothing here
imports the platform's database or settings.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ticketing.tickets.payload import PREFIX, Malformed, TicketClaims, decode


class Reason(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"  # not a Podium ticket code at all
    FORGED = "forged"  # damaged, or the signature does not match
    UNKNOWN_KEY = "unknown_key"  # signed by a key this device does not know
    REVOKED = "revoked"  # cancelled, refunded or exchanged
    WRONG_PERFORMANCE = "wrong_performance"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: Reason
    claims: TicketClaims | None = None

    @property
    def ok(self) -> bool:
        return self.reason is Reason.VALID


def unreadable(text: str) -> Verdict:
    """A Podium code that does not read back is damaged or tampered with; anything else is
    not a Podium code."""
    return Verdict(Reason.FORGED if text.strip().startswith(PREFIX) else Reason.UNKNOWN)


class Verifier:
    """keys: key id -> raw Ed25519 public key (32 bytes). performances: the ones this
    device admits to (None: any). revoked: ticket ids that must be refused."""

    def __init__(
        self,
        keys: Mapping[int, bytes],
        *,
        performances: Iterable[uuid.UUID] | None = None,
        revoked: Iterable[uuid.UUID] = (),
    ) -> None:
        self.keys = {kid: Ed25519PublicKey.from_public_bytes(raw) for kid, raw in keys.items()}
        self.performances = None if performances is None else frozenset(performances)
        self.revoked = set(revoked)

    @classmethod
    def from_kit(cls, kit: Mapping[str, Any]) -> Verifier:
        """A verifier for the JSON of `GET /scanner/kit`."""
        return cls(
            {int(k["key_id"]): base64.b64decode(k["public_key"]) for k in kit["keys"]},
            performances=[uuid.UUID(p["id"]) for p in kit["performances"]],
            revoked=[uuid.UUID(t) for t in kit["revoked"]],
        )

    def check(
        self, text: str, *, now: datetime, performance_id: uuid.UUID | None = None
    ) -> Verdict:
        """Is this code a ticket for performance_id (or any of the device's), now?"""
        try:
            decoded = decode(text)
        except Malformed:
            return unreadable(text)
        return self.check_decoded(*decoded, now=now, performance_id=performance_id)

    def check_decoded(
        self,
        claims: TicketClaims,
        signed: bytes,
        signature: bytes,
        *,
        now: datetime,
        performance_id: uuid.UUID | None = None,
    ) -> Verdict:
        """`check` for a code already read with `payload.decode`."""
        key = self.keys.get(claims.key_id)
        if key is None:
            return Verdict(Reason.UNKNOWN_KEY, claims)
        try:
            key.verify(signature, signed)
        except InvalidSignature:
            return Verdict(Reason.FORGED)
        if claims.ticket_id in self.revoked:
            return Verdict(Reason.REVOKED, claims)
        if performance_id is not None:
            if claims.performance_id != performance_id:
                return Verdict(Reason.WRONG_PERFORMANCE, claims)
        elif self.performances is not None and claims.performance_id not in self.performances:
            return Verdict(Reason.WRONG_PERFORMANCE, claims)
        if now < claims.valid_from:
            return Verdict(Reason.NOT_YET_VALID, claims)
        if now > claims.valid_until:
            return Verdict(Reason.EXPIRED, claims)
        return Verdict(Reason.VALID, claims)
