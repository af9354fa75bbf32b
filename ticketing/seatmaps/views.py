"""Seat-map layouts as the API shows them."""

from __future__ import annotations

from ticketing.seatmaps.layout import LayoutDocument
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.seatmaps.schemas import LayoutOut, LayoutSummary


def layout_out(layout: SeatMapLayout) -> LayoutOut:
    return LayoutOut(
        **LayoutSummary.model_validate(layout).model_dump(),
        document=LayoutDocument.model_validate(layout.document),
    )
