"""Request and response bodies of the tenancy API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ticketing.core.schemas import Email, In, Language, Name, Out, Patch, Phone, Slug, fits
from ticketing.core.times import Moment
from ticketing.tenancy.models import ApiToken, Cluster, House, StaffUser
from ticketing.tenancy.roles import Role

Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]
Prefix = Annotated[
    str, StringConstraints(pattern=r"^[A-Z]{2,5}$"), fits(House, "order_code_prefix")
]
HouseName = Annotated[Name, fits(House, "name")]
LegalName = Annotated[Name, fits(House, "legal_name")]
HouseEmail = Annotated[Email, fits(House, "email")]
HousePhone = Annotated[Phone, fits(House, "phone")]
Website = Annotated[str, StringConstraints(pattern=r"^https?://"), fits(House, "website")]
OrganizerId = Annotated[str, fits(House, "uitdatabank_organizer_id")]


class LoginIn(In):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RefreshIn(In):
    refresh_token: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class TokenOut(Out):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105
    expires_in: int


class RoleOut(Out):
    id: uuid.UUID
    role: Role
    cluster_id: uuid.UUID
    house_id: uuid.UUID | None


class MeOut(Out):
    id: uuid.UUID | None
    email: str | None
    name: str | None
    is_platform_admin: bool
    api_token_id: uuid.UUID | None = None
    roles: list[RoleOut]


class ClusterIn(In):
    slug: Annotated[Slug, fits(Cluster, "slug")]
    name: Annotated[Name, fits(Cluster, "name")]


class ClusterPatch(Patch):
    table = Cluster

    name: Annotated[Name, fits(Cluster, "name")] | None = None
    stripe_transfers: bool | None = Field(
        default=None,
        description="Online payments on the platform's Stripe account, then one Connect "
        "transfer per owner house (separate charges and transfers).",
    )


class ClusterOut(Out):
    id: uuid.UUID
    slug: str
    name: str
    is_demo: bool
    stripe_transfers: bool


class HouseIn(In):
    cluster_id: uuid.UUID
    slug: Annotated[Slug, fits(House, "slug")]
    name: HouseName
    legal_name: LegalName | None = None
    email: HouseEmail | None = None
    phone: HousePhone | None = None
    website: Website | None = None
    order_code_prefix: Prefix = Field(description="2 to 5 capitals; order codes start with it.")
    hold_minutes: int = Field(default=15, ge=1, le=120)
    uitdatabank_organizer_id: OrganizerId | None = None


class HousePatch(Patch):
    table = House

    name: HouseName | None = None
    legal_name: LegalName | None = None
    email: HouseEmail | None = None
    phone: HousePhone | None = None
    website: Website | None = None
    hold_minutes: int | None = Field(default=None, ge=1, le=120)
    online_fee_cents: int | None = Field(
        default=None, ge=0, le=1000, description="Service fee per ticket sold online, in cents."
    )
    uitdatabank_organizer_id: OrganizerId | None = None
    vat_exempt: bool | None = Field(
        default=None, description="Exempt from VAT: its tickets are booked at 0 %."
    )
    fee_vat_rate_bp: int | None = Field(
        default=None, ge=0, le=10000, description="VAT rate of its fees, basis points (2100)."
    )
    commission_bp: int | None = Field(
        default=None,
        ge=0,
        le=10000,
        description="Settlement: the share of this house's ticket revenue another house of "
        "the cluster keeps when it sells them, basis points (cluster admin only).",
    )


class HouseOut(Out):
    id: uuid.UUID
    cluster_id: uuid.UUID
    slug: str
    name: str
    legal_name: str | None
    email: str | None
    phone: str | None
    website: str | None
    order_code_prefix: str
    hold_minutes: int
    online_fee_cents: int
    uitdatabank_organizer_id: str | None
    is_demo: bool
    vat_exempt: bool
    fee_vat_rate_bp: int
    commission_bp: int


class RoleGrant(In):
    role: Role
    house_id: uuid.UUID | None = Field(
        default=None, description="The house; omit for a cluster-wide role."
    )
    cluster_id: uuid.UUID | None = Field(default=None, description="Only for a cluster-wide role.")

    @model_validator(mode="after")
    def _one_scope(self) -> RoleGrant:
        if (self.house_id is None) == (self.cluster_id is None):
            raise ValueError(
                "Give either house_id (a role in one house) or cluster_id (cluster-wide)."
            )
        if self.role == Role.CLUSTER_ADMIN and self.house_id is not None:
            raise ValueError("cluster_admin is held for a whole cluster: give cluster_id.")
        return self


class StaffIn(In):
    email: Annotated[Email, fits(StaffUser, "email")]
    name: Annotated[Name, fits(StaffUser, "name")]
    password: Password
    language: Language = "nl"
    roles: list[RoleGrant] = Field(min_length=1, max_length=50)


class StaffPatch(Patch):
    # password is not a column: null is refused like on any field that must keep a value.
    table = StaffUser

    name: Annotated[Name, fits(StaffUser, "name")] | None = None
    password: Password | None = None
    language: Language | None = None
    is_active: bool | None = None


class StaffOut(Out):
    id: uuid.UUID
    email: str
    name: str
    language: str
    is_active: bool
    roles: list[RoleOut]


class ApiTokenIn(In):
    house_id: uuid.UUID
    name: Annotated[Name, fits(ApiToken, "name")]
    kind: Literal["integration", "scanner"]
    roles: list[Role] = Field(min_length=1, max_length=20)
    expires_at: Moment | None = None


class ApiTokenOut(Out):
    id: uuid.UUID
    house_id: uuid.UUID
    name: str
    kind: str
    roles: list[Role]
    token_prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenOut):
    token: str = Field(description="Shown once: store it now, it cannot be read back.")


class AuditEntryOut(Out):
    id: uuid.UUID
    at: datetime
    house_id: uuid.UUID | None
    cluster_id: uuid.UUID | None
    user_id: uuid.UUID | None = Field(description="The account that wrote (None: an API token).")
    user_email: str | None = None
    api_token_id: uuid.UUID | None
    operation: str = Field(description="Method and route, as in this document's paths.")
    resource_type: str | None
    resource_id: str | None
    status: int = Field(description="The status of the answer.")
    request_id: str | None = Field(description="X-Request-ID of the request.")
