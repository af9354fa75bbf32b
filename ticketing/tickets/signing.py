"""The houses' signing keys: created on first use, rotated by a house admin, never shown.

A house's newest key (not retired) signs its new tickets. Rotating retires it and makes a
new one; a retired key keeps verifying the tickets it signed (their signed validity ends
with their performance), so nobody has to re-issue anything. Private keys are only ever
opened in the process that signs, from their sealed form (see keyring).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from ticketing.core import clock
from ticketing.tickets import payload
from ticketing.tickets.keyring import keyring
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


async def signer(session: AsyncSession, house_id: uuid.UUID, cluster_id: uuid.UUID) -> Signer:
    """The house's active key, made on first use (two workers racing make one key)."""
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
