"""consent when paid, newsletter per house

An order keeps the consent choices given with it (NULL: not asked) and whether the buyer
chose the language, until it is paid: only then do they reach the customer record. The
newsletter answer moves from the customer to one row per (customer, house), because the
checkout asks for the news of the house that sells.

An answer already stored goes to the house of the order it was given with (checkout dated
it with the order's time), or else to the customer's first house.

Revision ID: c2cb98349d90
Revises: e889ba7ad188
Create Date: 2026-12-04 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2cb98349d90"
down_revision: str | None = "e889ba7ad188"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, or with a constant default: adding them rewrites nothing.
    op.add_column("customer_order", sa.Column("share_in_cluster", sa.Boolean(), nullable=True))
    op.add_column("customer_order", sa.Column("newsletter", sa.Boolean(), nullable=True))
    op.add_column(
        "customer_order",
        sa.Column("language_given", sa.Boolean(), server_default=sa.text("true"), nullable=False),
    )
    op.create_table(
        "customer_newsletter",
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=False),
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["cluster.id"],
            name=op.f("fk_customer_newsletter_cluster_id_cluster"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_customer_newsletter_customer_id_customer"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["house_id"],
            ["house.id"],
            name=op.f("fk_customer_newsletter_house_id_house"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "house_id", name=op.f("pk_customer_newsletter")),
    )
    op.create_index(
        op.f("ix_customer_newsletter_house_id"), "customer_newsletter", ["house_id"], unique=False
    )
    # Each answer goes to the house of the order it came with (else the customer's first
    # house). One hash join over the orders, not a scan of them per customer: this runs
    # while the order table is locked by the columns added above.
    op.execute(
        """
        INSERT INTO customer_newsletter (customer_id, house_id, cluster_id, subscribed, given_at)
        SELECT DISTINCT ON (c.id) c.id, coalesce(o.house_id, c.first_house_id), c.cluster_id,
               c.newsletter, c.newsletter_at
        FROM customer c
        LEFT JOIN customer_order o ON o.customer_id = c.id AND o.created_at = c.newsletter_at
        WHERE c.newsletter_at IS NOT NULL AND coalesce(o.house_id, c.first_house_id) IS NOT NULL
        ORDER BY c.id, o.id
        """
    )
    op.drop_constraint(op.f("ck_customer_newsletter_given"), "customer", type_="check")
    op.drop_column("customer", "newsletter_at")
    op.drop_column("customer", "newsletter")


def downgrade() -> None:
    op.add_column(
        "customer",
        sa.Column("newsletter", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("customer", sa.Column("newsletter_at", sa.DateTime(timezone=True), nullable=True))
    # One answer per customer again, as it meant before: news from the house where they
    # first bought (an answer given only to another house is not carried over).
    op.execute(
        """
        UPDATE customer c SET newsletter = n.subscribed, newsletter_at = n.given_at
        FROM customer_newsletter n
        WHERE n.customer_id = c.id AND n.house_id = c.first_house_id
        """
    )
    op.alter_column("customer", "newsletter", server_default=None)
    op.create_check_constraint(
        op.f("ck_customer_newsletter_given"),
        "customer",
        "NOT newsletter OR newsletter_at IS NOT NULL",
    )
    op.drop_index(op.f("ix_customer_newsletter_house_id"), table_name="customer_newsletter")
    op.drop_table("customer_newsletter")
    op.drop_column("customer_order", "language_given")
    op.drop_column("customer_order", "newsletter")
    op.drop_column("customer_order", "share_in_cluster")
