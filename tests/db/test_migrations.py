from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fixtures.databases import create_database, drop_database
from sqlalchemy import create_engine, inspect

from ticketing.db.migrate import downgrade, upgrade
from ticketing.db.urls import sync_url
from ticketing.models import metadata


@pytest.fixture
def empty_database(server_url: str) -> Iterator[str]:
    url = create_database(server_url, prefix="podium_migrate")
    yield url
    drop_database(url)


def _tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    upgrade(empty_database)
    assert set(metadata.tables) <= _tables(empty_database)
    downgrade(empty_database, "base")
    assert _tables(empty_database) <= {"alembic_version"}
    upgrade(empty_database)
    assert set(metadata.tables) <= _tables(empty_database)


def test_models_match_migrations(database_url: str) -> None:
    """The migrated schema is what the models describe: no model change without a migration."""
    engine = create_engine(sync_url(database_url))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "include_name": lambda name, type_, _: (
                        type_ != "table" or name in metadata.tables
                    ),
                },
            )
            diff = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_stock_rows_are_backfilled_for_performances_on_sale(empty_database: str) -> None:
    """A standing performance put on sale before the inventory tables existed gets its
    stock row from the migrations, so buyers never meet a missing row."""
    import json
    import uuid

    import psycopg

    from ticketing.seatmaps.demo_layouts import standing_1200

    upgrade(empty_database, "2b240d3a1631")
    libpq = (
        sync_url(empty_database)
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg", "postgresql")
    )
    ids = {k: uuid.uuid4() for k in ("c", "h", "v", "hall", "l", "e", "p")}
    doc = standing_1200()
    with psycopg.connect(libpq) as conn:
        conn.execute("INSERT INTO cluster VALUES (now(), now(), %s, 'c', 'C', false)", (ids["c"],))
        conn.execute(
            "INSERT INTO house (created_at, updated_at, id, cluster_id, slug, name,"
            " order_code_prefix, hold_minutes, is_demo) VALUES (now(), now(), %s, %s, 'h', 'H',"
            " 'HH', 15, false)",
            (ids["h"], ids["c"]),
        )
        conn.execute(
            "INSERT INTO venue (created_at, updated_at, id, house_id, cluster_id, name, street,"
            " postal_code, city, country) VALUES (now(), now(), %s, %s, %s, 'V', 'S 1', '9000',"
            " 'Gent', 'BE')",
            (ids["v"], ids["h"], ids["c"]),
        )
        conn.execute(
            "INSERT INTO hall (created_at, updated_at, id, house_id, cluster_id, venue_id, name)"
            " VALUES (now(), now(), %s, %s, %s, %s, 'Zaal')",
            (ids["hall"], ids["h"], ids["c"], ids["v"]),
        )
        conn.execute(
            "INSERT INTO seat_map_layout (created_at, updated_at, id, house_id, cluster_id,"
            " hall_id, version, name, document, seat_count, standing_capacity) VALUES (now(),"
            " now(), %s, %s, %s, %s, 1, 'L', %s, 0, 1200)",
            (ids["l"], ids["h"], ids["c"], ids["hall"], json.dumps(doc.model_dump(mode="json"))),
        )
        conn.execute(
            "INSERT INTO event (created_at, updated_at, id, house_id, cluster_id, title,"
            " description, event_type_id, images, status) VALUES (now(), now(), %s, %s, %s,"
            " '{\"nl\": \"E\"}', '{}', '0.50.4.0.0', '[]', 'published')",
            (ids["e"], ids["h"], ids["c"]),
        )
        conn.execute(
            "INSERT INTO performance (created_at, updated_at, id, house_id, cluster_id, event_id,"
            " hall_id, layout_id, starts_at, ends_at, status) VALUES (now(), now(), %s, %s, %s,"
            " %s, %s, %s, now() + interval '1 day', now() + interval '2 days', 'on_sale')",
            (ids["p"], ids["h"], ids["c"], ids["e"], ids["hall"], ids["l"]),
        )
    upgrade(empty_database)
    with psycopg.connect(libpq) as conn:
        rows = conn.execute(
            "SELECT area_code, zone_code, capacity, used FROM standing_stock"
            " WHERE performance_id = %s",
            (ids["p"],),
        ).fetchall()
    assert rows == [("FLOOR", "A", 1200, 0)]
