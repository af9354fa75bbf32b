"""Base metadata, naming convention and column mixins shared by every table."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from ticketing import clock

# Constraint names must be stable for Alembic; pattern names follow Polar's convention.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def utcnow() -> datetime:
    return clock.now()


def TimestampField(**kwargs: Any) -> Any:
    return Field(sa_type=DateTime(timezone=True), **kwargs)


class IdMixin(SQLModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)


class TimestampMixin(SQLModel):
    created_at: datetime = TimestampField(default_factory=utcnow, nullable=False)
    updated_at: datetime = TimestampField(
        default_factory=utcnow, nullable=False, sa_column_kwargs={"onupdate": utcnow}
    )


class HouseOwned(IdMixin, TimestampMixin):
    """A row that belongs to one house (and through it to one cluster).

    The cluster id is denormalised so cluster-wide reads need no join; both are checked by
    the tenancy scoping helper, which is the only place reads are filtered.
    """

    house_id: uuid.UUID = Field(foreign_key="house.id", index=True, ondelete="CASCADE")
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", index=True, ondelete="CASCADE")
