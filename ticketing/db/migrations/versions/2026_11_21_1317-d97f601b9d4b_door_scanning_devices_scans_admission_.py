"""door scanning: devices, scans, admission state, re-entry

Door devices of a house (with their own tokens), every scan they report (online, or
uploaded later with a nonce), and on the ticket whether it was admitted and is inside.

Revision ID: d97f601b9d4b
Revises: f30cdd884de1
Create Date: 2026-11-21 13:17:01.257857
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "d97f601b9d4b"
down_revision: str | None = "f30cdd884de1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scanner_device",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("performance_ids", postgresql.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("gates", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_scanner_device_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_scanner_device_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scanner_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_scanner_device_token_hash")),
    )
    op.create_index(
        op.f("ix_scanner_device_cluster_id"), "scanner_device", ["cluster_id"], unique=False
    )
    op.create_index(
        op.f("ix_scanner_device_house_id"), "scanner_device", ["house_id"], unique=False
    )
    op.create_table(
        "scan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("performance_id", sa.Uuid(), nullable=True),
        sa.Column("ticket_id", sa.Uuid(), nullable=True),
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("gate", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["scanner_device.id"],
            name=op.f("fk_scan_device_id_scanner_device"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"], ["house.id"], name=op.f("fk_scan_house_id_house"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["performance_id"],
            ["performance.id"],
            name=op.f("fk_scan_performance_id_performance"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["ticket.id"], name=op.f("fk_scan_ticket_id_ticket"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan")),
        sa.UniqueConstraint("device_id", "nonce", name=op.f("uq_scan_device_id_nonce")),
    )
    op.create_index(
        "ix_scan_performance_result", "scan", ["performance_id", "result", "gate"], unique=False
    )
    op.create_index("ix_scan_ticket", "scan", ["ticket_id"], unique=False)
    op.add_column(
        "performance",
        sa.Column("reentry", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("ticket", sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "ticket", sa.Column("inside", sa.Boolean(), server_default=sa.text("false"), nullable=False)
    )
    op.add_column("ticket", sa.Column("last_scan_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "ticket", sa.Column("last_gate", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True)
    )
    op.add_column("ticket", sa.Column("last_device_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "last_device_id")
    op.drop_column("ticket", "last_gate")
    op.drop_column("ticket", "last_scan_at")
    op.drop_column("ticket", "inside")
    op.drop_column("ticket", "admitted_at")
    op.drop_column("performance", "reentry")
    op.drop_index("ix_scan_ticket", table_name="scan")
    op.drop_index("ix_scan_performance_result", table_name="scan")
    op.drop_table("scan")
    op.drop_index(op.f("ix_scanner_device_house_id"), table_name="scanner_device")
    op.drop_index(op.f("ix_scanner_device_cluster_id"), table_name="scanner_device")
    op.drop_table("scanner_device")
