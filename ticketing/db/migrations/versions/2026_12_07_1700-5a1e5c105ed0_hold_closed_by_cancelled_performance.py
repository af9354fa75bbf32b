"""hold closed by a cancelled performance

Cancelling a performance closes the open baskets holding its places (status 'closed'):
their places go back and the basket remembers which performance closed it, so checking it
out later can name the performance that is off sale. Nullable: adding it rewrites nothing.

Revision ID: 5a1e5c105ed0
Revises: 3b7e52c1a9d4
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1e5c105ed0"
down_revision: str | None = "3b7e52c1a9d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hold", sa.Column("closed_performance_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_hold_closed_performance_id_performance"),
        "hold",
        "performance",
        ["closed_performance_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_hold_closed_performance_id_performance"), "hold", type_="foreignkey"
    )
    op.drop_column("hold", "closed_performance_id")
