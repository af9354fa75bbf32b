"""The reports' charts as SVG images (`image/svg+xml`), for the admin reports page, which
inlines them beside the report's own table. Each route asks the report service for the
same report as its JSON route (so the caller's right to the report is checked there, and
a house or performance of another tenant is a 404), then draws it (money/charts.py)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from ticketing import clock
from ticketing.core.errors import InvalidInput
from ticketing.core.times import QUERY_DAY, day_query
from ticketing.money import charts, reports
from ticketing.tenancy.deps import Caller, Db

SVG = "image/svg+xml"
# Reports are the house's figures: never kept by a shared cache.
PRIVATE = {"Cache-Control": "private, no-store"}

# Read as text and checked by day_query, so that a wrong day is named by its query name.
From = Annotated[
    str | None,
    QueryParameter(name="from", description=f"The first day (this month's first). {QUERY_DAY}"),
]
To = Annotated[
    str | None,
    QueryParameter(
        name="to", description=f"The last day, included (this month's last). {QUERY_DAY}"
    ),
]
Language = Annotated[
    Literal["nl", "fr", "en"], QueryParameter(description="The language of the chart's text.")
]


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The days asked, this month in Brussels by default."""
    today = clock.now().astimezone(clock.BRUSSELS).date()
    month_start = today.replace(day=1)
    month_end = (month_start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    first = day_query("from", start) or month_start  # type: ignore[arg-type]
    last = day_query("to", end) or month_end  # type: ignore[arg-type]
    if last < first:
        raise InvalidInput.field("to", "The last day comes on or after the first day.")
    return first, last


def _svg(drawing: str) -> Response[str]:
    return Response(drawing, media_type=SVG, headers=PRIVATE)


class ChartController(Controller):
    tags = ["reports"]

    @get(
        "/houses/{house_id:uuid}/reports/charts/daily.svg",
        summary="Chart: gross sales per day",
        media_type=SVG,
    )
    async def daily(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        lang: Language = "nl",
    ) -> Response[str]:
        first, last = _period(start, end)
        report = await reports.daily_sales(db, principal, house_id, first, last)
        return _svg(charts.daily_totals_svg(report, lang))

    @get(
        "/houses/{house_id:uuid}/reports/charts/payments.svg",
        summary="Chart: net taken per payment method",
        media_type=SVG,
    )
    async def payments(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        lang: Language = "nl",
    ) -> Response[str]:
        first, last = _period(start, end)
        report = await reports.payment_mix(db, principal, house_id, first, last)
        return _svg(charts.payment_mix_svg(report, lang))

    @get(
        "/performances/{performance_id:uuid}/reports/charts/cumulative.svg",
        summary="Chart: tickets sold so far against the capacity",
        media_type=SVG,
    )
    async def cumulative(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        lang: Language = "nl",
    ) -> Response[str]:
        report = await reports.cumulative_sales(db, principal, performance_id)
        return _svg(charts.cumulative_svg(report, lang))


CONTROLLERS = [ChartController]
