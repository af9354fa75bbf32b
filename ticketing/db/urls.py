"""Turn one configured PostgreSQL URL into the driver-specific URLs each component needs."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url


def _with_driver(url: str, driver: str) -> URL:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"Podium runs on PostgreSQL only, not {parsed.get_backend_name()!r}.")
    return parsed.set(drivername=f"postgresql+{driver}")


def async_url(url: str) -> URL:
    """The asyncpg URL the API and the workers' async code use.

    The selling path alone runs over a hundred distinct statements; asyncpg's default
    cache of 100 prepared statements per connection would keep preparing them again."""
    parsed = _with_driver(url, "asyncpg")
    if "prepared_statement_cache_size" not in parsed.query:
        parsed = parsed.update_query_dict({"prepared_statement_cache_size": "500"})
    return parsed


def sync_url(url: str) -> URL:
    """The psycopg (v3) URL for Alembic, the Celery SQL broker and scripts."""
    return _with_driver(url, "psycopg")


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)
