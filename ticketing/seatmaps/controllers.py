from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, MediaType, Response, get, post
from litestar.params import FromPath, JSONBody

from ticketing.core.openapi import success
from ticketing.seatmaps import repository as repo
from ticketing.seatmaps import service
from ticketing.seatmaps.generator import GeneratorSpec
from ticketing.seatmaps.layout import LayoutDocument, layout_json_schema
from ticketing.seatmaps.models import SeatMapLayout
from ticketing.seatmaps.schemas import (
    LayoutOut,
    LayoutProblemOut,
    LayoutSummary,
    ValidationReport,
)
from ticketing.seatmaps.svg import render_svg
from ticketing.seatmaps.validation import validate_layout
from ticketing.seatmaps.views import layout_out
from ticketing.tenancy.deps import Caller, Db
from ticketing.tenancy.scoping import get_scoped
from ticketing.venues.models import Hall


class HallLayoutController(Controller):
    path = "/halls/{hall_id:uuid}/layouts"
    tags = ["seat maps"]

    @get("/", summary="Layout versions of a hall, newest first")
    async def list_layouts(
        self, db: Db, principal: Caller, hall_id: FromPath[uuid.UUID]
    ) -> list[LayoutSummary]:
        await get_scoped(db, Hall, hall_id, principal, what="Hall")
        layouts = await repo.list_layouts(db, principal, hall_id)
        return [LayoutSummary.model_validate(la) for la in layouts]

    @post("/", summary="Import a layout (JSON document) as the hall's next version")
    async def import_layout(
        self,
        db: Db,
        principal: Caller,
        hall_id: FromPath[uuid.UUID],
        data: JSONBody[LayoutDocument],
    ) -> LayoutOut:
        return layout_out(await service.save_layout(db, principal, hall_id, data))

    @post("/generate", summary="Generate a regular layout (rows x seats) and save it")
    async def generate_layout(
        self, db: Db, principal: Caller, hall_id: FromPath[uuid.UUID], data: JSONBody[GeneratorSpec]
    ) -> LayoutOut:
        return layout_out(await service.generate_and_save(db, principal, hall_id, data))


class LayoutController(Controller):
    path = "/layouts"
    tags = ["seat maps"]

    @get("/{layout_id:uuid}")
    async def get_layout(
        self, db: Db, principal: Caller, layout_id: FromPath[uuid.UUID]
    ) -> LayoutOut:
        return layout_out(
            await get_scoped(db, SeatMapLayout, layout_id, principal, what="Seat map")
        )

    @get(
        "/{layout_id:uuid}/export",
        summary="The layout as a JSON file (podium.seatmap/1)",
        responses={200: success(LayoutDocument, "The layout document, as a download.")},
    )
    async def export_layout(
        self, db: Db, principal: Caller, layout_id: FromPath[uuid.UUID]
    ) -> Response[dict[str, Any]]:
        layout = await get_scoped(db, SeatMapLayout, layout_id, principal, what="Seat map")
        filename = f"layout-{layout.hall_id}-v{layout.version}.json"
        return Response(
            layout.document,
            media_type=MediaType.JSON,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/{layout_id:uuid}/svg", summary="The layout drawn as SVG", media_type="image/svg+xml")
    async def layout_svg(
        self, db: Db, principal: Caller, layout_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        layout = await get_scoped(db, SeatMapLayout, layout_id, principal, what="Seat map")
        doc = LayoutDocument.model_validate(layout.document)
        return Response(render_svg(doc), media_type="image/svg+xml")


class SeatMapToolsController(Controller):
    path = "/seatmaps"
    tags = ["seat maps"]

    @post("/validate", summary="Check a layout without saving it", status_code=200)
    async def validate(self, data: JSONBody[LayoutDocument]) -> ValidationReport:
        problems = validate_layout(data)
        return ValidationReport(
            valid=not problems,
            seat_count=data.seat_count,
            standing_capacity=data.standing_capacity,
            problems=[
                LayoutProblemOut(field=p.field, message=p.message, seat=p.seat) for p in problems
            ],
        )

    @post(
        "/generate",
        summary="Generate a regular layout (rows x seats) without saving it",
        description=(
            "The same spec and the same document as POST /halls/{hall_id}/layouts/generate,"
            " but nothing is stored: the seat-map editor builds its sections with it."
        ),
        status_code=200,
    )
    async def generate(self, data: JSONBody[GeneratorSpec]) -> LayoutDocument:
        return service.generate(data)

    @get("/schema.json", exclude_from_auth=True, summary="JSON Schema of the layout format")
    async def json_schema(self) -> dict[str, Any]:
        return layout_json_schema()


CONTROLLERS = [HallLayoutController, LayoutController, SeatMapToolsController]
