"""Alembic environment: migrations run on the synchronous psycopg driver."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from ticketing.models import metadata

config = context.config


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    # Only our own tables: Celery's SQL broker or result tables may share a database.
    if type_ == "table":
        return name in metadata.tables
    return True


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        include_name=include_name,
        literal_binds=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_name=include_name,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
