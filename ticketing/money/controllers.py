"""The finance reports: JSON by default, or a CSV or XLSX file (`format`); and their
charts as SVG images (`image/svg+xml`) for the admin reports page, which inlines them
beside the report's own table. A chart asks the report service for the same report as
its JSON route (so the caller's right to it is checked there, and a house or performance
of another tenant is a 404), then draws it (money/charts.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get
from litestar.params import FromPath, QueryParameter

from ticketing.core.openapi import ALSO_AS, success
from ticketing.core.times import RANGE
from ticketing.money import charts, reports
from ticketing.money.exports import XLSX_MEDIA_TYPE
from ticketing.money.schemas import (
    Basis,
    Format,
    ReportOut,
    date_range,
    groups_of,
    month_of,
)
from ticketing.money.views import answer
from ticketing.tenancy.deps import Caller, Db

From = Annotated[
    str | None,
    QueryParameter(
        name="from",
        format="date",
        max_length=10,
        description=f"The first day (YYYY-MM-DD) {RANGE}; the 1st of `to`'s month without it.",
    ),
]
To = Annotated[
    str | None,
    QueryParameter(
        name="to",
        format="date",
        max_length=10,
        description=f"The last day, included (YYYY-MM-DD) {RANGE}; today without it.",
    ),
]
AsFormat = Annotated[
    Format,
    QueryParameter(description="json, or a file: csv (`;`, decimal comma) or xlsx."),
]
GroupBy = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        description=f"Comma separated, any of: {', '.join(reports.GROUPS)}.",
    ),
]
Month = Annotated[
    str | None,
    QueryParameter(max_length=7, description="YYYY-MM (this month without it)."),
]
BasisParam = Annotated[
    Basis,
    QueryParameter(
        description="Count revenue on the day it was booked (transaction) or on the "
        "performance's day (performance; fees, which belong to no performance, are left out).",
    ),
]

Language = Annotated[
    Literal["nl", "fr", "en"], QueryParameter(description="The language of the chart's text.")
]
SVG = "image/svg+xml"
# Reports are the house's figures: never kept by a shared cache.
PRIVATE = {"Cache-Control": "private, no-store"}


def _svg(drawing: str) -> Response[str]:
    return Response(drawing, media_type=SVG, headers=PRIVATE)


REPORT = {
    "responses": {200: success(ReportOut, "The report; or its file with format csv or xlsx.")},
    "opt": {ALSO_AS: ("text/csv", XLSX_MEDIA_TYPE)},
}


class HouseReportController(Controller):
    path = "/houses/{house_id:uuid}/reports"
    tags = ["reports"]

    @get("/daily-sales", summary="Daily sales of the house, grouped", **REPORT)  # type: ignore[arg-type]
    async def daily_sales(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        basis: BasisParam = "transaction",
        group_by: GroupBy = None,
        format: AsFormat = "json",
    ) -> Response[Any]:
        first, last = date_range(start, end)
        report = await reports.daily_sales(
            db, principal, house_id, first, last, basis, groups_of(group_by)
        )
        return answer(report, format)

    @get("/vat", summary="The house's VAT summary of a month", **REPORT)  # type: ignore[arg-type]
    async def vat(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        month: Month = None,
        format: AsFormat = "json",
    ) -> Response[Any]:
        report = await reports.vat_summary(db, principal, house_id, month_of(month))
        return answer(report, format)

    @get("/performances", summary="Sales per performance of the house", **REPORT)  # type: ignore[arg-type]
    async def performances(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        format: AsFormat = "json",
    ) -> Response[Any]:
        first, last = date_range(start, end)
        report = await reports.performance_sales(db, principal, house_id, first, last)
        return answer(report, format)

    @get("/payments", summary="Money taken and given back per payment method", **REPORT)  # type: ignore[arg-type]
    async def payments(
        self,
        db: Db,
        principal: Caller,
        house_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        format: AsFormat = "json",
    ) -> Response[Any]:
        first, last = date_range(start, end)
        report = await reports.payment_mix(db, principal, house_id, first, last)
        return answer(report, format)


class PerformanceReportController(Controller):
    path = "/performances/{performance_id:uuid}/reports"
    tags = ["reports"]

    @get("/cumulative", summary="A performance's sales day by day against its places", **REPORT)  # type: ignore[arg-type]
    async def cumulative(
        self,
        db: Db,
        principal: Caller,
        performance_id: FromPath[uuid.UUID],
        format: AsFormat = "json",
    ) -> Response[Any]:
        report = await reports.cumulative_sales(db, principal, performance_id)
        return answer(report, format)


class ClusterReportController(Controller):
    path = "/clusters/{cluster_id:uuid}/reports"
    tags = ["reports"]

    @get("/daily-sales", summary="Daily sales of every house of the cluster", **REPORT)  # type: ignore[arg-type]
    async def daily_sales(
        self,
        db: Db,
        principal: Caller,
        cluster_id: FromPath[uuid.UUID],
        start: From = None,
        end: To = None,
        basis: BasisParam = "transaction",
        group_by: GroupBy = None,
        format: AsFormat = "json",
    ) -> Response[Any]:
        first, last = date_range(start, end)
        report = await reports.cluster_daily_sales(
            db, principal, cluster_id, first, last, basis, groups_of(group_by)
        )
        return answer(report, format)


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
        first, last = date_range(start, end)
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
        first, last = date_range(start, end)
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


CONTROLLERS = [
    HouseReportController,
    PerformanceReportController,
    ClusterReportController,
    ChartController,
]
