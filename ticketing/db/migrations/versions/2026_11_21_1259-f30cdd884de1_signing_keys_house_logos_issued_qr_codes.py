"""signing keys, house logos, issued QR codes

Each house signs its tickets with its own Ed25519 keys (stored sealed); a ticket keeps the
QR text it was issued with and the id of the key that signed it.

Revision ID: f30cdd884de1
Revises: 7d3e4f5a6b7c
Create Date: 2026-11-21 12:59:05.839229
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "f30cdd884de1"
down_revision: str | None = "7d3e4f5a6b7c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "house_logo",
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_house_logo_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("house_id", name=op.f("pk_house_logo")),
    )
    op.create_table(
        "signing_key",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.BigInteger(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_private_key", sa.LargeBinary(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_signing_key_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_signing_key_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_signing_key_key_id")),
    )
    op.create_index(op.f("ix_signing_key_cluster_id"), "signing_key", ["cluster_id"], unique=False)
    op.create_index(op.f("ix_signing_key_house_id"), "signing_key", ["house_id"], unique=False)
    op.create_index(
        "uq_signing_key_active",
        "signing_key",
        ["house_id"],
        unique=True,
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.add_column("ticket", sa.Column("key_id", sa.BigInteger(), nullable=True))
    op.add_column("ticket", sa.Column("qr", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("ticket", "qr")
    op.drop_column("ticket", "key_id")
    op.drop_index(
        "uq_signing_key_active",
        table_name="signing_key",
        postgresql_where=sa.text("retired_at IS NULL"),
    )
    op.drop_index(op.f("ix_signing_key_house_id"), table_name="signing_key")
    op.drop_index(op.f("ix_signing_key_cluster_id"), table_name="signing_key")
    op.drop_table("signing_key")
    op.drop_table("house_logo")
