"""podium_require(): a statement that finds its own work incomplete fails as a whole

A single statement is atomic: when it fails, none of its writes remain, even outside a
transaction. Taking seats for a new basket uses this: the basket and all its seats are
written by one statement that raises (SQLSTATE PD001) when a seat was taken by someone
else, so nothing is kept and nobody had to wait for more than that one statement.

Revision ID: 7d3e4f5a6b7c
Revises: 5c1d2e3f4a5b
Create Date: 2026-11-21 09:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7d3e4f5a6b7c"
down_revision: str | None = "5c1d2e3f4a5b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION podium_require(ok boolean, message text) RETURNS boolean
        LANGUAGE plpgsql AS $$
        BEGIN
            IF ok IS NOT TRUE THEN
                RAISE EXCEPTION '%', message USING ERRCODE = 'PD001';
            END IF;
            RETURN true;
        END
        $$
        """
    )


def downgrade() -> None:
    op.execute("DROP FUNCTION podium_require(boolean, text)")
