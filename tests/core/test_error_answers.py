"""How errors are rendered (ticketing/core/errors.py): field paths spelt one way, and a
database error never answered with a misleading conflict."""

from __future__ import annotations

import json

from litestar.testing import RequestFactory
from sqlalchemy.exc import IntegrityError

from ticketing.core.errors import field_path, handle_integrity


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def test_one_spelling_of_field_paths() -> None:
    assert field_path(["lines", 0, "quantity"]) == "lines[0].quantity"
    assert field_path(["lines", "0", "quantity"]) == "lines[0].quantity"
    assert field_path(["seats", 3]) == "seats[3]"
    assert field_path(["document", "sections", 1, "rows", 0]) == "document.sections[1].rows[0]"
    assert field_path([]) == ""


def test_a_not_null_violation_is_our_fault_not_a_conflict() -> None:
    request = RequestFactory().get("/halls/x")
    not_null = IntegrityError("UPDATE hall", {}, _DriverError("23502"))
    answer = handle_integrity(request, not_null)
    assert answer.status_code == 500
    assert "already exists" not in json.dumps(answer.content)

    unique = IntegrityError("INSERT INTO hall", {}, _DriverError("23505"))
    conflict = handle_integrity(request, unique)
    assert conflict.status_code == 409
