"""Creating and dropping throw-away databases on the test server."""

from __future__ import annotations

import uuid

import psycopg

from ticketing.db.urls import sync_url, with_database


def _admin_conninfo(url: str) -> str:
    return (
        sync_url(with_database(url, "postgres"))
        .render_as_string(hide_password=False)
        .replace("postgresql+psycopg", "postgresql")
    )


def create_database(server_url: str, prefix: str = "podium_test") -> str:
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
