"""Tenancy tables: the platform is clusters of houses; staff hold roles in them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from ticketing.db.base import HouseOwned, IdMixin, TimestampField, TimestampMixin


class Cluster(IdMixin, TimestampMixin, table=True):
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    is_demo: bool = Field(default=False)
    # Online payments on the platform's Stripe account, split to each house's connected
    # account by Connect transfers ("separate charges and transfers"); off: each order is
    # paid on its selling house's account and the houses settle by statement.
    stripe_transfers: bool = Field(
        default=False, sa_column_kwargs={"server_default": text("false")}
    )


class House(IdMixin, TimestampMixin, table=True):
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", index=True, ondelete="CASCADE")
    slug: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    legal_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=500)
    # Order codes read like "VKO-7F3K2": the prefix tells the clerk which house sold it.
    order_code_prefix: str = Field(max_length=5)
    hold_minutes: int = Field(default=15)
    # Service fee per ticket sold online, in cents (0: none).
    online_fee_cents: int = Field(default=0)
    # Stripe Connect account of the house; empty: payments go to the platform account.
    stripe_account_id: str | None = Field(default=None, max_length=255)
    uitdatabank_organizer_id: str | None = Field(default=None, max_length=64)
    is_demo: bool = Field(default=False)
    # Money: a house exempt from VAT books its tickets at 0 %; its fees carry this rate.
    vat_exempt: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})
    fee_vat_rate_bp: int = Field(default=2100, sa_column_kwargs={"server_default": text("2100")})
    # Settlement: the share of this house's ticket revenue another house of the cluster
    # keeps when it sells them (basis points; set by the cluster admin).
    commission_bp: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})

    __table_args__ = (
        UniqueConstraint("cluster_id", "order_code_prefix"),
        CheckConstraint(
            "fee_vat_rate_bp BETWEEN 0 AND 10000 AND commission_bp BETWEEN 0 AND 10000",
            name="rates",
        ),
    )


class StaffUser(IdMixin, TimestampMixin, table=True):
    __tablename__ = "staff_user"

    # Stored lower-cased; the unique index is then case-insensitive in effect.
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_platform_admin: bool = Field(default=False)
    is_active: bool = Field(default=True)
    language: str = Field(default="nl", max_length=2)


class RoleAssignment(IdMixin, TimestampMixin, table=True):
    __tablename__ = "role_assignment"

    user_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=32)
    cluster_id: uuid.UUID = Field(foreign_key="cluster.id", index=True, ondelete="CASCADE")
    # NULL: the role holds in every house of the cluster.
    house_id: uuid.UUID | None = Field(
        default=None, foreign_key="house.id", index=True, ondelete="CASCADE"
    )

    __table_args__ = (
        Index(
            "uq_role_assignment_scope",
            "user_id",
            "role",
            "cluster_id",
            "house_id",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
    )


class AuthSession(IdMixin, TimestampMixin, table=True):
    """A login: holds the refresh token (hashed); access tokens name it, so logout revokes
    them at once rather than when they expire."""

    __tablename__ = "auth_session"

    user_id: uuid.UUID = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    refresh_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    expires_at: datetime = TimestampField(nullable=False)
    revoked_at: datetime | None = TimestampField(default=None, nullable=True)
    user_agent: str | None = Field(default=None, max_length=300)


class ApiToken(HouseOwned, table=True):
    """A long-lived token for an integration or a scanner device, scoped to one house."""

    __tablename__ = "api_token"

    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # "integration" | "scanner"
    roles: list[str] = Field(sa_column=Column(JSONB, nullable=False))
    # The first characters are shown in lists so staff can tell tokens apart.
    token_prefix: str = Field(max_length=16)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_by_id: uuid.UUID | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    expires_at: datetime | None = TimestampField(default=None, nullable=True)
    revoked_at: datetime | None = TimestampField(default=None, nullable=True)
    last_used_at: datetime | None = TimestampField(default=None, nullable=True)

    __table_args__ = (
        Index("ix_api_token_live", "house_id", postgresql_where=text("revoked_at IS NULL")),
    )


class AuditEntry(SQLModel, table=True):
    """One staff write: who, when, in which house, what, on which resource, with what
    answer. Append-only: a trigger refuses UPDATE and DELETE (migration 2026_12_07).

    No foreign keys: an entry outlives the house, account or token it names (a cascade
    would have to delete it, which the trigger refuses)."""

    __tablename__ = "audit_entry"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    at: datetime = TimestampField(nullable=False)
    house_id: uuid.UUID | None = Field(default=None)
    cluster_id: uuid.UUID | None = Field(default=None)
    user_id: uuid.UUID | None = Field(default=None, index=True)
    api_token_id: uuid.UUID | None = Field(default=None)
    # "PATCH /venues/{venue_id}": the method and the route as the OpenAPI document names it.
    operation: str = Field(max_length=300)
    resource_type: str | None = Field(default=None, max_length=64)
    resource_id: str | None = Field(default=None, max_length=64)
    status: int
    request_id: str | None = Field(default=None, max_length=64)

    __table_args__ = (
        Index("ix_audit_entry_house_at", "house_id", "at"),
        Index("ix_audit_entry_at", "at"),
    )
