"""Tables of issuing: signing keys and the logos printed on tickets."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, text
from sqlmodel import Field, SQLModel

from ticketing.db.base import HouseOwned, TimestampField, utcnow


class SigningKey(HouseOwned, table=True):
    """An Ed25519 key a house signs its tickets with. The newest one (not retired) signs
    new tickets; retired keys still verify the tickets they signed, whose signed validity
    ends with their performance."""

    __tablename__ = "signing_key"

    # The id written in every QR code (an unsigned 32-bit number, unique platform-wide).
    key_id: int = Field(sa_type=BigInteger, unique=True)
    public_key: bytes = Field(sa_type=LargeBinary)
    # AES-GCM under a key derived from TICKETING_TICKETS__SECRET_KEY (see core/keyring.py).
    sealed_private_key: bytes = Field(sa_type=LargeBinary)
    retired_at: datetime | None = TimestampField(default=None, nullable=True)

    __table_args__ = (
        # At most one key signs a house's new tickets.
        Index(
            "uq_signing_key_active",
            "house_id",
            unique=True,
            postgresql_where=text("retired_at IS NULL"),
        ),
    )


class HouseLogo(SQLModel, table=True):
    """The logo printed on a house's tickets (PNG or JPEG, kept apart from the house row
    so reading a house does not read the image)."""

    __tablename__ = "house_logo"

    house_id: uuid.UUID = Field(foreign_key="house.id", primary_key=True, ondelete="CASCADE")
    content_type: str = Field(max_length=32)
    data: bytes = Field(sa_type=LargeBinary)
    updated_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
