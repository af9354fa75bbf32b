"""The paging parameters of every list: bounded, so no number reaches the database that
PostgreSQL cannot take (an offset past 2^63 was a 500)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

MAX_LIMIT = 200
# Far beyond any list a house has; well inside PostgreSQL's bigint.
MAX_OFFSET = 1_000_000

Limit = Annotated[
    int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT} answers.")
]
Offset = Annotated[
    int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many answers to skip.")
]
