"""uitdatabank sync state

Per event of ours and venue: its UiTdatabank id, the order of its sub-events, and how its
last sync went.

Revision ID: 919a6c8af79f
Revises: d97f601b9d4b
Create Date: 2026-11-21 13:53:33.983324
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "919a6c8af79f"
down_revision: str | None = "d97f601b9d4b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "uitdatabank_event",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("venue_id", sa.Uuid(), nullable=False),
        sa.Column("udb_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sub_events", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("schema_errors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_uitdatabank_event_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_uitdatabank_event_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_uitdatabank_event_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["venue_id"],
            ["venue.id"],
            name=op.f("fk_uitdatabank_event_venue_id_venue"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uitdatabank_event")),
        sa.UniqueConstraint(
            "event_id", "venue_id", name=op.f("uq_uitdatabank_event_event_id_venue_id")
        ),
    )
    op.create_index(
        op.f("ix_uitdatabank_event_cluster_id"), "uitdatabank_event", ["cluster_id"], unique=False
    )
    op.create_index(
        op.f("ix_uitdatabank_event_event_id"), "uitdatabank_event", ["event_id"], unique=False
    )
    op.create_index(
        op.f("ix_uitdatabank_event_house_id"), "uitdatabank_event", ["house_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_uitdatabank_event_house_id"), table_name="uitdatabank_event")
    op.drop_index(op.f("ix_uitdatabank_event_event_id"), table_name="uitdatabank_event")
    op.drop_index(op.f("ix_uitdatabank_event_cluster_id"), table_name="uitdatabank_event")
    op.drop_table("uitdatabank_event")
