"""Copy the UiTdatabank schemas the fake needs (the request-body schemas and everything they
reference, transitively) unmodified into ``tests/publiq/schemas/``, and write its README.md.

Usage: ``PYTHONPATH=tests .venv/bin/python -m publiq.copy_schemas [SOURCE_DIR]``;
SOURCE_DIR defaults to ``../shared/external/publiq/udb3-json-schemas`` (from the repository).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from publiq.schema_check import REQUEST_SCHEMAS, SCHEMA_DIR, ref_closure

DEFAULT_SOURCE = Path(__file__).resolve().parents[3] / "shared/external/publiq/udb3-json-schemas"
SOURCE_REPOSITORY = "cultuurnet/udb3-json-schemas"
SOURCE_COMMIT = "036639d4b4c04de09e2f21a3469ad463226c7730"
SOURCE_DATE = "2026-07-14"


def needed_files(source: Path) -> set[str]:
    """Schema files needed to validate every request body in REQUEST_SCHEMAS."""
    return ref_closure(REQUEST_SCHEMAS.values(), source)


def readme_text(directory: Path = SCHEMA_DIR) -> str:
    """README.md of the copied schemas: provenance and which request uses which file."""
    keys = {operation: chr(ord("A") + i) for i, operation in enumerate(REQUEST_SCHEMAS)}
    users: dict[str, list[str]] = {}
    for operation, root in REQUEST_SCHEMAS.items():
        for name in ref_closure([root], directory):
            users.setdefault(name, []).append(keys[operation])
    lines = [
        "# UiTdatabank JSON Schemas (subset)",
        "",
        f"Source: public repository {SOURCE_REPOSITORY}, commit {SOURCE_COMMIT} ({SOURCE_DATE}),",
        "copied unmodified from ../shared/external/publiq/udb3-json-schemas/ (relative to the",
        "repository root). Only the files needed to validate the request bodies below are here:",
        "each request schema and everything it references through `$ref`, transitively.",
        "",
        "Regenerate (copies the files and rewrites this README):",
        "`PYTHONPATH=tests .venv/bin/python -m publiq.copy_schemas [SOURCE_DIR]`.",
        "The schemas carry no `$id`/`$schema`: `schema_check.py` registers every file under one",
        "base URI so that `./x.json` and `../models/x.json` both resolve, and validates with",
        "Draft 2020-12.",
        "",
        "| key | request (Entry API v3, openapi/entry.json) | request body schema |",
        "|---|---|---|",
        *(f"| {keys[op]} | `{op}` | `{root}` |" for op, root in REQUEST_SCHEMAS.items()),
        "",
        "| file | used by |",
        "|---|---|",
        *(f"| `{name}` | {' '.join(sorted(users[name]))} |" for name in sorted(users)),
        "",
    ]
    return "\n".join(lines)


def copy_schemas(source: Path = DEFAULT_SOURCE, target: Path = SCHEMA_DIR) -> list[str]:
    """Copy the needed files byte for byte, remove stale ones, write README.md; returns the
    copied names."""
    names = sorted(needed_files(source))
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.json"):
        if stale.name not in names:
            stale.unlink()
    for name in names:
        shutil.copyfile(source / name, target / name)
    (target / "README.md").write_text(readme_text(target), encoding="utf-8")
    return names


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    copied = copy_schemas(src)
    print(f"copied {len(copied)} schema files from {src} to {SCHEMA_DIR}")
