"""Settlement statements as answers: JSON, and the lines as `;`-separated CSV."""

from __future__ import annotations

from ticketing.money.settlement import Statement
from ticketing.money.settlement_schemas import LineOut, NetOut, StatementOut, StatementSummaryOut


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
            commission_bp=line.commission_bp,
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
