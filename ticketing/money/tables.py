"""The shape every report has, whatever it is served as (JSON, CSV, XLSX, a chart): named
columns of a kind, rows of values by column key, and the totals of the summed columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"  # a datetime.date
    COUNT = "count"  # an int, summed in the totals
    CENTS = "cents"  # an int of euro cents, summed in the totals
    RATE = "rate"  # basis points (600: 6 %)
    RUNNING = "running"  # an int that is not summed: a running total, a capacity


SUMMED = (ColumnKind.COUNT, ColumnKind.CENTS)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: ColumnKind


@dataclass
class Report:
    name: str  # "daily-sales", also the file name of its exports
    title: str
    columns: list[Column]
    rows: list[dict[str, object]] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        """The sum of every count and cents column over the rows (totals are sums of
        lines, never computed apart)."""
        return {
            c.key: sum(int(row.get(c.key) or 0) for row in self.rows)  # type: ignore[call-overload]
            for c in self.columns
            if c.kind in SUMMED
        }
