"""Settlement statements as answers: JSON, and the lines as `;`-separated CSV."""

from __future__ import annotations

import csv
import io

from ticketing.money.settlement import Statement
from ticketing.money.settlement_schemas import LineOut, NetOut, StatementOut, StatementSummaryOut
from ticketing.money.tables import ColumnKind, Report


def statement_out(statement: Statement) -> StatementOut:
    summary = StatementSummaryOut.model_validate(statement.row)
    lines = [
        LineOut(
            holder_house_id=line.holder_house_id,
            holder_house=statement.name(line.holder_house_id),
            owner_house_id=line.owner_house_id,
            owner_house=statement.name(line.owner_house_id),
            entries=line.entries,
            gross_cents=line.gross_cents,
            commission_bp=(
                owner.commission_bp
                if (owner := statement.houses.get(line.owner_house_id)) is not None
                else 0
            ),
            commission_cents=line.commission_cents,
            owed_cents=line.owed_cents,
        )
        for line in statement.lines
    ]
    return StatementOut(
        **summary.model_dump(),
        lines=lines,
        nets=[NetOut.model_validate(net) for net in statement.nets()],
        totals=statement.report().totals,
    )


def _cell(kind: ColumnKind, value: object) -> str:
    if value is None:
        return ""
    if kind == ColumnKind.CENTS:
        # Belgian spreadsheets: a decimal comma, no thousands separator.
        cents = int(value)  # type: ignore[call-overload]
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"
    return str(value)


def report_csv(report: Report) -> str:
    """The report as CSV for Belgian spreadsheets: `;` between fields, decimal commas, a
    header of labels and a totals row."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in report.columns])
    for row in report.rows:
        writer.writerow([_cell(c.kind, row.get(c.key)) for c in report.columns])
    totals = report.totals
    writer.writerow(
        [
            _cell(c.kind, totals[c.key]) if c.key in totals else ("Total" if i == 0 else "")
            for i, c in enumerate(report.columns)
        ]
    )
    return out.getvalue()
