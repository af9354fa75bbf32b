"""outbox coalescing key

A message that stands for a burst of like changes (availability in UiTdatabank): at most
one with a key waits at a time.

Revision ID: 8f1b1d000992
Revises: 919a6c8af79f
Create Date: 2026-11-21 14:26:57.696064
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "8f1b1d000992"
down_revision: str | None = "919a6c8af79f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "outbox_message",
        sa.Column("coalesce_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.create_index(
        "ux_outbox_message_waiting",
        "outbox_message",
        ["coalesce_key"],
        unique=True,
        postgresql_where=sa.text("processed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ux_outbox_message_waiting",
        table_name="outbox_message",
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.drop_column("outbox_message", "coalesce_key")
