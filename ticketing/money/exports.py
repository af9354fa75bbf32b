"""A report as a file for a spreadsheet: CSV the way Belgian Excel reads it (`;` between
fields, a decimal comma, UTF-8 with a byte order mark), or XLSX (openpyxl, write-only,
euros as numbers with a euro format, dates as dates). Both have a header row of the
column labels and a totals row, and come as chunks for a streamed answer."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ticketing.money.tables import SUMMED, Column, ColumnKind, Report

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EURO_FORMAT = '#,##0.00 "€";-#,##0.00 "€"'
RATE_FORMAT = "0.00%"
TOTAL = "Totaal"
CHUNK = 64 * 1024


def filename(report: Report, extension: str, day: date) -> str:
    return f"{report.name}-{day.isoformat()}.{extension}"


def euros(cents: int) -> str:
    """12,50 for 1250; -0,05 for -5."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole},{rest:02d}"


# A text starting with one of these is a formula to a spreadsheet: an event title
# "=HYPERLINK(...)" must stay text in the finance officer's export.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    """Text that no spreadsheet reads as a formula (a leading apostrophe, as typed)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_value(column: Column, value: object) -> str:
    if value is None:
        return ""
    if column.kind in (ColumnKind.CENTS, ColumnKind.RATE):
        # Cents as euros (1250: 12,50); basis points as a percentage (600: 6,00).
        return euros(int(value))  # type: ignore[call-overload]
    if isinstance(value, date):
        return value.isoformat()
    return as_text(str(value))


def _totals_row(report: Report) -> list[object]:
    totals = report.totals
    line: list[object] = [totals.get(c.key) if c.kind in SUMMED else None for c in report.columns]
    if line and report.columns[0].kind not in SUMMED:
        line[0] = TOTAL
    return line


def csv_chunks(report: Report) -> Iterator[bytes]:
    """The CSV, with a BOM, a line per row and the totals last."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    writer.writerow([c.label for c in report.columns])
    for n, row in enumerate(report.rows):
        writer.writerow([_csv_value(c, row.get(c.key)) for c in report.columns])
        if n % 500 == 499:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    totals = _totals_row(report)
    writer.writerow(
        [
            value if isinstance(value, str) else _csv_value(c, value)
            for c, value in zip(report.columns, totals, strict=True)
        ]
    )
    yield buffer.getvalue().encode()


def _cell(sheet: WriteOnlyWorksheet, column: Column, value: object, bold: bool) -> WriteOnlyCell:
    if value is not None and column.kind == ColumnKind.CENTS and not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=int(value) / 100)  # type: ignore[call-overload]
        cell.number_format = EURO_FORMAT
    elif value is not None and column.kind == ColumnKind.RATE and not isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=int(value) / 10000)  # type: ignore[call-overload]
        cell.number_format = RATE_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
    else:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever it starts with
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_chunks(report: Report) -> Iterator[bytes]:
    """The workbook, written to a spooled temporary file (in memory up to a few MB), then
    read back in chunks."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=report.name[:31])
    sheet.append(
        [
            _cell(sheet, Column(c.key, c.label, ColumnKind.TEXT), c.label, True)
            for c in report.columns
        ]
    )
    for row in report.rows:
        sheet.append([_cell(sheet, c, row.get(c.key), False) for c in report.columns])
    totals = _totals_row(report)
    sheet.append(
        [_cell(sheet, c, value, True) for c, value in zip(report.columns, totals, strict=True)]
    )
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
