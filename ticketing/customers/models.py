"""A customer of a cluster, known by e-mail, with the consent choices they gave.

The houses of a cluster share one customer record per e-mail address. It belongs to the
cluster (cluster_id); first_house_id is the house of their first paid order. A buyer
without an e-mail address gets no customer record (an anonymous sale at the counter).
The record is written when an order is paid, never by an order that only waits for its
payment: whoever types an address cannot speak for its owner.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from ticketing.db.base import IdMixin, TimestampField, TimestampMixin


class Customer(IdMixin, TimestampMixin, table=True):
    # Searched through uq_customer_cluster_email, which starts with it.
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", ondelete="CASCADE")
    # Kept when the house goes: the customer is the cluster's.
    first_house_id: uuid.UUID | None = Field(
        default=None, foreign_key="house.id", ondelete="SET NULL"
    )
    # Empty while no order gave a name (an anonymous sale at the counter with an address).
    name: str = Field(max_length=200)
    email: str = Field(max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    language: str = Field(default="nl", max_length=2)
    # The houses of the cluster may find this customer at their box office.
    share_in_cluster: bool = Field(default=False)
    # When the recorded choice was given (None: never asked).
    share_in_cluster_at: datetime | None = TimestampField(default=None, nullable=True)

    __table_args__ = (
        # One customer per address in a cluster, whatever its capitals (the upsert names
        # this index in its ON CONFLICT).
        Index("uq_customer_cluster_email", "cluster_id", text("lower(email)"), unique=True),
        # A yes is always recorded with the moment it was given.
        CheckConstraint(
            "NOT share_in_cluster OR share_in_cluster_at IS NOT NULL", name="share_given"
        ),
    )


class CustomerNewsletter(SQLModel, table=True):
    """A customer's answer to "news of this house by e-mail", per house: the checkout asks
    it for the house that sells, so a yes to one house is no yes to its neighbours, and a
    no to one withdraws nothing given to another. A row is an answer given (yes or no);
    no row: never asked there."""

    __tablename__ = "customer_newsletter"

    customer_id: uuid.UUID = Field(foreign_key="customer.id", primary_key=True, ondelete="CASCADE")
    # Also the house's mailing list (subscribed rows of one house).
    house_id: uuid.UUID = Field(
        foreign_key="house.id", primary_key=True, index=True, ondelete="CASCADE"
    )
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", ondelete="CASCADE")
    subscribed: bool
    given_at: datetime = TimestampField(nullable=False)
