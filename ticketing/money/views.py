"""A report as the API answers it: JSON, or a file streamed as CSV or XLSX."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.response import Stream

from ticketing.money import exports
from ticketing.money.schemas import ReportColumnOut, ReportOut, today
from ticketing.money.tables import Report


def report_out(report: Report) -> ReportOut:
    return ReportOut(
        name=report.name,
        title=report.title,
        columns=[
            ReportColumnOut(key=c.key, label=c.label, kind=c.kind.value) for c in report.columns
        ],
        rows=report.rows,
        totals=report.totals,
    )


def answer(report: Report, format: str) -> Response[Any]:
    """The report as JSON, or as an attachment (CSV or XLSX) streamed in chunks."""
    if format == "json":
        return Response(report_out(report).model_dump(mode="json"))
    if format == "csv":
        chunks, media_type = exports.csv_chunks(report), exports.CSV_MEDIA_TYPE
    else:
        chunks, media_type = exports.xlsx_chunks(report), exports.XLSX_MEDIA_TYPE
    name = exports.filename(report, format, today())
    return Stream(
        chunks,
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "cache-control": "private, no-store",
        },
    )
