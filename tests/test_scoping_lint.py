"""Tenant filters live in one place: no repository or service filters on house_id or
cluster_id by hand with a membership test (an `in_` over ids), which is how a scoping
mistake slips in. Equality filters on a caller-given id are fine: the scope still applies.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ticketing"
ALLOWED = {PACKAGE / "tenancy" / "scoping.py"}
PATTERN = re.compile(r"(house_id|cluster_id)\)?\.in_\(|house_ids\(|cluster_ids\(")


def test_no_ad_hoc_tenant_filters() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path in ALLOWED or path.name == "principal.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PATTERN.search(line):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
    assert offenders == [], "filter through ticketing.tenancy.scoping:\n" + "\n".join(offenders)


def test_every_repository_uses_the_scoping_helper() -> None:
    for repository in PACKAGE.glob("*/repository.py"):
        text = repository.read_text()
        assert "ticketing.tenancy.scoping import" in text, f"{repository} reads without the scope"
