from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, model_validator

from ticketing.core.schemas import In, Out


class CustomerOut(Out):
    id: uuid.UUID
    name: str
    email: str
    phone: str | None
    language: str
    first_house_id: uuid.UUID | None = Field(description="The house where they first bought.")
    share_in_cluster: bool = Field(
        description="The houses of the cluster may find this customer at their box office."
    )
    share_in_cluster_at: datetime | None = Field(
        description="When this choice was given (null: never asked)."
    )
    newsletter: bool = Field(description="News by e-mail from the house they bought at.")
    newsletter_at: datetime | None = Field(
        description="When this choice was given (null: never asked)."
    )
    created_at: datetime
    updated_at: datetime


class ConsentIn(In):
    """A choice the customer states at the counter; what is left out stays as it was."""

    share_in_cluster: bool | None = None
    newsletter: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> ConsentIn:
        if self.share_in_cluster is None and self.newsletter is None:
            raise ValueError("Give share_in_cluster, newsletter or both.")
        return self
