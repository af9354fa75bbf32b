"""audit log and rate limit counters

`audit_entry` records every staff write (tenancy/audit.py). A trigger makes the database
refuse UPDATE, DELETE and TRUNCATE from the application; only the table's owner could
drop the trigger, so in production the API runs as a role that does not own the table
(docs/operations.md).

`rate_limit_counter` holds the fixed-window counters of core/ratelimit.py. UNLOGGED:
counters are not worth a WAL write, and a crash only forgives one window's attempts.

Revision ID: a7d1e5c3b920
Revises: 5a1e5c105ed0
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7d1e5c3b920"
down_revision: str | None = "5a1e5c105ed0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("house_id", sa.Uuid(), nullable=True),
        sa.Column("cluster_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("api_token_id", sa.Uuid(), nullable=True),
        sa.Column("operation", sa.String(length=300), nullable=False),
        sa.Column("resource_type", sa.String(length=64), nullable=True),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_house_at", "audit_entry", ["house_id", "at"])
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"])
    op.create_index(op.f("ix_audit_entry_user_id"), "audit_entry", ["user_id"])
    op.execute(
        """
        CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
    )
    op.create_table(
        "rate_limit_counter",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_end", name=op.f("pk_rate_limit_counter")),
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("rate_limit_counter")
    # Dropping the table drops its triggers; the function goes after it.
    op.drop_table("audit_entry")
    op.execute("DROP FUNCTION audit_entry_append_only()")
