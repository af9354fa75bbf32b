from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, model_validator

from ticketing.core.schemas import Out, Patch


class NewsletterOut(Out):
    house_id: uuid.UUID
    subscribed: bool = Field(description="Yes: this house may send them its news by e-mail.")
    given_at: datetime = Field(description="When this answer was given.")


class CustomerOut(Out):
    id: uuid.UUID
    name: str = Field(description="Empty while no order gave a name.")
    email: str
    phone: str | None
    language: str
    first_house_id: uuid.UUID | None = Field(description="The house of their first paid order.")
    share_in_cluster: bool = Field(
        description="The houses of the cluster may find this customer at their box office."
    )
    share_in_cluster_at: datetime | None = Field(
        description="When this choice was given (null: never asked)."
    )
    newsletters: list[NewsletterOut] = Field(
        default_factory=list,
        description=(
            "Their answers to news by e-mail, per house, for the caller's own houses only"
            " (a house not listed never asked, or is not the caller's)."
        ),
    )
    created_at: datetime
    updated_at: datetime


class ConsentIn(Patch):
    """A choice the customer states at the counter; what is left out stays as it was (null
    is not a choice: refused)."""

    share_in_cluster: bool | None = None
    newsletter: bool | None = Field(
        default=None, description="News by e-mail from house_id (needed with it)."
    )
    house_id: uuid.UUID | None = Field(
        default=None, description="The house whose news the newsletter answer is about."
    )

    @model_validator(mode="after")
    def _something(self) -> ConsentIn:
        if self.share_in_cluster is None and self.newsletter is None:
            raise ValueError("Give share_in_cluster, newsletter or both.")
        return self
