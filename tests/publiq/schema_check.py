"""Validate request bodies against publiq's UiTdatabank JSON Schemas (copied in ``schemas/``).

The schemas carry no ``$id``/``$schema`` and refer to each other as ``./x.json`` or
``../models/x.json``; every file is registered under one base URI (``.../models/``) so both
forms resolve, and they are checked with Draft 2020-12 (with ``format`` asserted).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
BASE_URI = "https://schemas.publiq.test/models/"

# Request body schema of each Entry API operation the fake serves (from openapi/entry.json).
REQUEST_SCHEMAS: dict[str, str] = {
    "POST /events": "event-post.json",
    "PUT /events/{eventId}": "event-with-write-example.json",
    "PATCH /events/{eventId}/sub-events": "event-subEvent-patch.json",
    "PUT /events/{eventId}/booking-availability": "event-bookingAvailability.json",
    "PUT /events/{eventId}/workflow-status": "event-workflowStatus-put.json",
    "POST /places": "place-post.json",
}

_MAX_MESSAGE = 300
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$",
)


def iter_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string anywhere in a schema document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def ref_file(ref: str) -> str:
    """The file name a ``$ref`` points at (``../models/x.json#/a`` -> ``x.json``)."""
    return posixpath.basename(ref.split("#", 1)[0])


def ref_closure(roots: Iterable[str], directory: Path) -> set[str]:
    """File names of ``roots`` and of everything they reference, transitively.

    Raises FileNotFoundError when a referenced file is not in ``directory``.
    """
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        document = json.loads((directory / name).read_text(encoding="utf-8"))
        seen.add(name)
        todo.extend(ref_file(ref) for ref in iter_refs(document) if ref_file(ref))
    return seen


def schema_files() -> list[Path]:
    """The copied schema files."""
    return sorted(SCHEMA_DIR.glob("*.json"))


@cache
def registry() -> Registry[Any]:
    """All copied schemas, each at ``BASE_URI + file name``."""
    resources = [
        (BASE_URI + path.name, Resource.from_contents(_load(path), DRAFT202012))
        for path in schema_files()
    ]
    return Registry().with_resources(resources).crawl()


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _format_checker() -> FormatChecker:
    """Draft 2020-12 formats, plus ``date-time`` and ``uri`` (whose optional checker
    packages are not installed)."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            return False
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    @checker.checks("uri")
    def _uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return bool(urlsplit(value).scheme) and not any(c.isspace() for c in value)

    return checker


@cache
def validator(schema_file: str) -> Draft202012Validator:
    """A cached validator for one schema file (e.g. ``event-post.json``)."""
    if not (SCHEMA_DIR / schema_file).is_file():
        raise FileNotFoundError(f"schema {schema_file} is not copied into {SCHEMA_DIR}")
    schema = {"$ref": BASE_URI + schema_file}
    return Draft202012Validator(schema, registry=registry(), format_checker=_format_checker())


def json_pointer(error: ValidationError) -> str:
    """RFC 6901 pointer of the offending value; publiq writes the root as ``/``."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    return "/" + "/".join(parts)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The specific errors behind an error; for anyOf/oneOf, those of the closest branch."""
    if not error.context:
        yield error
        return
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(item: tuple[Any, list[ValidationError]]) -> tuple[int, int, int]:
        index, errors = item
        depth = len(error.absolute_path)
        shallow = sum(1 for e in errors if len(e.absolute_path) <= depth)
        return (shallow, len(errors), index if isinstance(index, int) else 0)

    _, errors = min(branches.items(), key=distance)
    for sub in errors:
        yield from _leaves(sub)


def _message(error: ValidationError) -> str:
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return message


def schema_errors(schema_file: str, body: Any) -> list[dict[str, str]]:
    """publiq-style ``schemaErrors`` entries (``jsonPointer``, ``error``); empty when valid."""
    found: list[dict[str, str]] = []
    for error in validator(schema_file).iter_errors(body):
        for leaf in _leaves(error):
            entry = {"jsonPointer": json_pointer(leaf), "error": _message(leaf)}
            if entry not in found:
                found.append(entry)
    return found


def validate(schema_file: str, body: Any) -> list[str]:
    """Readable errors (``/json/pointer: message``) of ``body`` against ``schema_file``;
    empty when the body is valid."""
    return [f"{e['jsonPointer']}: {e['error']}" for e in schema_errors(schema_file, body)]
