"""uitdatabank create sent at

When a creation (`POST /events`) was sent for a location, written in a transaction of its
own before the request goes out: a worker that dies before storing the answer leaves it
set, and the next sync holds the location for staff instead of creating a second event.

Revision ID: 3b7e52c1a9d4
Revises: c2cb98349d90
Create Date: 2026-12-07 16:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b7e52c1a9d4"
down_revision: str | None = "c2cb98349d90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: adding it rewrites nothing.
    op.add_column(
        "uitdatabank_event",
        sa.Column("create_sent_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("uitdatabank_event", "create_sent_at")
