"""customers and consent

The cluster's customers, one per e-mail address (any capitals), with their consent
choices and when each was given; an order links to its customer.

Revision ID: e889ba7ad188
Revises: 8f1b1d000992
Create Date: 2026-12-04 09:48:39.973277
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e889ba7ad188"
down_revision: str | None = "8f1b1d000992"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("first_house_id", sa.Uuid(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("share_in_cluster", sa.Boolean(), nullable=False),
        sa.Column("newsletter", sa.Boolean(), nullable=False),
        sa.Column("share_in_cluster_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("newsletter_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "NOT newsletter OR newsletter_at IS NOT NULL",
            name=op.f("ck_customer_newsletter_given"),
        ),
        sa.CheckConstraint(
            "NOT share_in_cluster OR share_in_cluster_at IS NOT NULL",
            name=op.f("ck_customer_share_given"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_customer_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_house_id"],
            ["house.id"],
            name=op.f("fk_customer_first_house_id_house"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
    )
    op.create_index(
        "uq_customer_cluster_email",
        "customer",
        ["cluster_id", sa.literal_column("lower(email)")],
        unique=True,
    )
    # Nullable and without a default: adding it rewrites nothing. Not indexed (see the model).
    op.add_column("customer_order", sa.Column("customer_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_customer_order_customer_id_customer"),
        "customer_order",
        "customer",
        ["customer_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_customer_order_customer_id_customer"), "customer_order", type_="foreignkey"
    )
    op.drop_column("customer_order", "customer_id")
    op.drop_index("uq_customer_cluster_email", table_name="customer")
    op.drop_table("customer")
