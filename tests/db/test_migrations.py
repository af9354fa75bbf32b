from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from databases import create_database, drop_database
from sqlalchemy import create_engine, inspect

from ticketing.db.migrate import downgrade, upgrade
from ticketing.db.models import metadata
from ticketing.db.urls import sync_url


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
