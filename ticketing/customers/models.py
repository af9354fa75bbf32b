"""A customer of a cluster, known by e-mail, with the consent choices they gave.

The houses of a cluster share one customer record per e-mail address. It belongs to the
cluster (cluster_id); first_house_id is the house where they first bought. A buyer
without an e-mail address gets no customer record (a counter sale to "Anoniem").
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field

from ticketing.db.base import IdMixin, TimestampField, TimestampMixin


class Customer(IdMixin, TimestampMixin, table=True):
    # Searched through uq_customer_cluster_email, which starts with it.
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", ondelete="CASCADE")
    # Kept when the house goes: the customer is the cluster's.
    first_house_id: uuid.UUID | None = Field(
        default=None, foreign_key="house.id", ondelete="SET NULL"
    )
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    language: str = Field(default="nl", max_length=2)
    # The houses of the cluster may find this customer at their box office.
    share_in_cluster: bool = Field(default=False)
    # News by mail from the house they bought at.
    newsletter: bool = Field(default=False)
    # When the recorded choice was given (None: never asked).
    share_in_cluster_at: datetime | None = TimestampField(default=None, nullable=True)
    newsletter_at: datetime | None = TimestampField(default=None, nullable=True)

    __table_args__ = (
        # One customer per address in a cluster, whatever its capitals (checkout's upsert
        # names this index in its ON CONFLICT).
        Index("uq_customer_cluster_email", "cluster_id", text("lower(email)"), unique=True),
        # A yes is always recorded with the moment it was given.
        CheckConstraint(
            "NOT share_in_cluster OR share_in_cluster_at IS NOT NULL", name="share_given"
        ),
        CheckConstraint("NOT newsletter OR newsletter_at IS NOT NULL", name="newsletter_given"),
    )
