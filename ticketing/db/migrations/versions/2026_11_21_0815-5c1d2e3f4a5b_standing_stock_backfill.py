"""standing stock rows for performances already on sale

Stock rows are made when a performance goes on sale; performances that went on sale
before the inventory existed get theirs here, so the buying path never has to make them.

Revision ID: 5c1d2e3f4a5b
Revises: 413af6bb504a
Create Date: 2026-11-21 08:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1d2e3f4a5b"
down_revision: str | None = "413af6bb504a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        """
        INSERT INTO standing_stock
            (performance_id, area_code, house_id, cluster_id, zone_code, capacity, used)
        SELECT p.id, area->>'code', p.house_id, p.cluster_id, area->>'zone',
               (area->>'capacity')::int, 0
        FROM performance p
        JOIN seat_map_layout l ON l.id = p.layout_id
        CROSS JOIN LATERAL jsonb_array_elements(l.document->'standing_areas') AS area
        WHERE p.status IN ('on_sale', 'sold_out')
        ON CONFLICT DO NOTHING
        """
    )


def downgrade() -> None:
    # Rows made here are indistinguishable from the others; they go with the table.
    pass
