"""The houses' signing keys: created on first use, rotated by a house admin, never shown.

A house's newest key (not retired) signs its new tickets. Rotating retires it and makes a
new one; a retired key keeps verifying the tickets it signed (their signed validity ends
with their performance), so nobody has to re-issue anything. Private keys are only ever
opened in the process that signs, from their sealed form (see core/keyring.py).
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing import clock
from ticketing.core.keyring import keyring
from ticketing.tickets import payload
from ticketing.tickets.models import SigningKey


@dataclass(frozen=True)
class Signer:
    key_id: int
    private: Ed25519PrivateKey

    def sign(self, claims: payload.TicketClaims) -> str:
        signed = payload.signed_part(claims)
        return payload.encode(signed, self.private.sign(signed))


def _context(key_id: int, house_id: uuid.UUID) -> bytes:
    return key_id.to_bytes(4, "big") + house_id.bytes


def _new_key(house_id: uuid.UUID, cluster_id: uuid.UUID) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    key_id = secrets.randbits(32)
    raw_private = private.private_bytes_raw()
    return SigningKey(
        house_id=house_id,
        cluster_id=cluster_id,
        key_id=key_id,
        public_key=private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        sealed_private_key=keyring().seal(raw_private, _context(key_id, house_id)),
    )


_INSERT_ACTIVE = text(
    """
    INSERT INTO signing_key (id, created_at, updated_at, house_id, cluster_id, key_id,
                             public_key, sealed_private_key)
    VALUES (:id, :now, :now, :house_id, :cluster_id, :key_id, :public_key, :sealed)
    ON CONFLICT DO NOTHING
    """
)

_signers: dict[uuid.UUID, Signer] = {}  # signing_key.id -> opened key (this process)
# house id -> (until, its active key): a worker looks the key up once a minute, not for
# every order. After a rotation made by another process it signs with the retired key for
# up to that long; those tickets stay valid, as every ticket of a retired key does.
_active: dict[uuid.UUID, tuple[float, Signer]] = {}
ACTIVE_KEY_SECONDS = 60.0


_MADE = "podium.signing_keys_made"  # session.info: houses whose key this session made


async def signer(session: AsyncSession, house_id: uuid.UUID, cluster_id: uuid.UUID) -> Signer:
    """The house's active key, made on first use (two workers racing make one key)."""
    cached = _active.get(house_id)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    found = await _active_signer(session, house_id, cluster_id)
    if house_id not in session.info.get(_MADE, ()):
        # Only a key committed before is kept: one this session made (or rotated to) is
        # gone if its transaction rolls back.
        _active[house_id] = (time.monotonic() + ACTIVE_KEY_SECONDS, found)
    return found


async def _active_signer(
    session: AsyncSession, house_id: uuid.UUID, cluster_id: uuid.UUID
) -> Signer:
    for _ in range(3):
        row = (
            await session.exec(
                select(SigningKey).where(
                    SigningKey.house_id == house_id, col(SigningKey.retired_at).is_(None)
                )
            )
        ).first()
        if row is not None:
            return _open(row)
        new = _new_key(house_id, cluster_id)
        session.info.setdefault(_MADE, set()).add(house_id)
        await (await session.connection()).execute(
            _INSERT_ACTIVE.bindparams(
                id=new.id,
                now=clock.now(),
                house_id=house_id,
                cluster_id=cluster_id,
                key_id=new.key_id,
                public_key=new.public_key,
                sealed=new.sealed_private_key,
            )
        )
    raise RuntimeError("could not create the house's signing key")


def _open(row: SigningKey) -> Signer:
    found = _signers.get(row.id)
    if found is None:
        raw_private = keyring().unseal(row.sealed_private_key, _context(row.key_id, row.house_id))
        found = Signer(row.key_id, Ed25519PrivateKey.from_private_bytes(raw_private))
        _signers[row.id] = found
    return found


async def rotate(session: AsyncSession, house_id: uuid.UUID, cluster_id: uuid.UUID) -> SigningKey:
    """Retire the house's active key (if any) and make a new one."""
    _active.pop(house_id, None)
    session.info.setdefault(_MADE, set()).add(house_id)
    await session.exec(
        update(SigningKey)
        .where(col(SigningKey.house_id) == house_id, col(SigningKey.retired_at).is_(None))
        .values(retired_at=clock.now())
    )
    key = _new_key(house_id, cluster_id)
    session.add(key)
    await session.flush()
    return key


def validity(
    starts_at: datetime, ends_at: datetime, before_h: float, after_h: float
) -> tuple[datetime, datetime]:
    """The window a ticket admits in: from before the start until after the end."""
    return starts_at - timedelta(hours=before_h), ends_at + timedelta(hours=after_h)
