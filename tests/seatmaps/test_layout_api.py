"""Seat maps through the API: generate (saved, or only previewed for the editor), export,
validate against the published schema, import back identically, and precise 422s for
invalid layouts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures.support import Tenant, assert_problem
from fixtures.world import make_hall, ok
from jsonschema import Draft202012Validator

from ticketing.seatmaps.demo_layouts import theatre_600
from ticketing.tenancy.roles import Role

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / "docs" / "schemas" / "seatmap-layout.schema.json"
)


@pytest.fixture
async def hall(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    return (await make_hall(client, tenant, "Schouwburg"))[1]


async def test_demo_theatre_exports_validates_and_imports_identically(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    original = theatre_600().model_dump(mode="json")
    saved = await ok(await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=original))
    assert saved["version"] == 1
    assert saved["seat_count"] == 600

    export = await client.get(f"/layouts/{saved['id']}/export", headers=h)
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    exported = export.json()

    # The export validates against the published JSON Schema (the committed file, which is
    # also what the API serves).
    published = json.loads(SCHEMA_FILE.read_text())
    served = (await client.get("/seatmaps/schema.json")).json()
    assert served == published
    errors = list(Draft202012Validator(published).iter_errors(exported))
    assert errors == []

    again = await ok(await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=exported))
    assert again["version"] == 2
    assert again["document"] == exported == original
    re_export = (await client.get(f"/layouts/{again['id']}/export", headers=h)).json()
    assert re_export == exported

    versions = (await client.get(f"/halls/{hall['id']}/layouts", headers=h)).json()
    assert [v["version"] for v in versions] == [2, 1]


async def test_invalid_layout_names_the_seat(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    doc = theatre_600().model_dump(mode="json")
    row = doc["sections"][0]["rows"][2]
    row["seats"][3]["label"] = row["seats"][2]["label"]  # duplicate label in one row
    doc["sections"][1]["rows"][0]["seats"][0]["zone"] = "Z"  # unknown price zone
    response = await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=doc)
    body = assert_problem(response, 422)
    dup_key = f"STALLS/{row['label']}/{row['seats'][2]['label']}"
    seats = {e.get("seat") for e in body["errors"]}
    assert dup_key in seats
    assert any(dup_key in e["message"] for e in body["errors"])
    zone_error = next(e for e in body["errors"] if "Z" in e["message"] and "zone" in e["message"])
    assert zone_error["field"] == "document.sections[1].rows[0].seats[0].zone"
    assert zone_error["seat"].startswith("BALCONY/")
    # Nothing was stored.
    assert (await client.get(f"/halls/{hall['id']}/layouts", headers=h)).json() == []


async def test_overlapping_and_empty_layouts_are_refused(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    doc = {
        "name": "Te krap",
        "width": 200,
        "height": 200,
        "price_zones": [{"code": "A", "name": "Rang 1", "color": "#336699"}],
        "sections": [
            {
                "code": "S",
                "name": "Zaal",
                "rows": [
                    {
                        "label": "1",
                        "seats": [
                            {"label": "1", "x": 50, "y": 50, "zone": "A"},
                            {"label": "2", "x": 55, "y": 50, "zone": "A"},
                        ],
                    }
                ],
            }
        ],
    }
    body = assert_problem(
        await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=doc), 422
    )
    assert any(
        e.get("seat") in ("S/1/1", "S/1/2") and "S/1/1" in e["message"] for e in body["errors"]
    )

    empty = {**doc, "sections": []}
    body = assert_problem(
        await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=empty), 422
    )
    assert body["errors"][0]["field"] == "document.sections"

    # A malformed document (unknown flag) is refused before validation, naming the field.
    bad_flag = json.loads(json.dumps(doc))
    bad_flag["sections"][0]["rows"][0]["seats"][0]["flags"] = ["wheelchairr"]
    response = await client.post(f"/halls/{hall['id']}/layouts", headers=h, json=bad_flag)
    body = assert_problem(response, 400)
    assert any("flags" in e["field"] for e in body["errors"])


async def test_generate_600_seats_in_one_call(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    spec = {
        "name": "Grote zaal",
        "price_zones": [
            {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
            {"code": "B", "name": "Rang 2", "color": "#2ca02c"},
        ],
        "blocks": [
            {
                "code": "STALLS",
                "name": "Parterre",
                "rows": 20,
                "seats_per_row": 24,
                "zone": "A",
                "numbering": "odd_even",
                "row_labels": "letters",
                "curvature": 2,
                "wheelchair_row": 20,
            },
            {
                "code": "BALCONY",
                "name": "Balkon",
                "rows": 5,
                "seats_per_row": 24,
                "zone": "B",
                "curvature": 2,
            },
        ],
    }
    layout = await ok(
        await client.post(f"/halls/{hall['id']}/layouts/generate", headers=h, json=spec)
    )
    assert layout["seat_count"] == 600
    doc = layout["document"]
    keys = [
        f"{s['code']}/{r['label']}/{seat['label']}"
        for s in doc["sections"]
        for r in s["rows"]
        for seat in r["seats"]
    ]
    assert len(keys) == len(set(keys)) == 600
    first_row = doc["sections"][0]["rows"][0]
    assert first_row["label"] == "A"
    # odd/even numbering from the centre: the two middle seats are 2 and 1.
    labels = [s["label"] for s in first_row["seats"]]
    assert labels[11:13] == ["2", "1"]
    flags = [f for r in doc["sections"][0]["rows"] for s in r["seats"] for f in s["flags"]]
    assert flags.count("wheelchair") >= 2
    assert flags.count("companion") >= 2
    check = await client.post("/seatmaps/validate", headers=h, json=doc)
    assert check.status_code == 200
    assert check.json() == {
        "valid": True,
        "seat_count": 600,
        "standing_capacity": 0,
        "problems": [],
    }

    svg = await client.get(f"/layouts/{layout['id']}/svg", headers=h)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.text)  # noqa: S314 - our own SVG response, in a test
    seats = [el for el in root.iter() if el.tag.endswith("circle") and el.get("data-seat")]
    assert len(seats) == 600


async def test_only_house_admins_save_layouts(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    doc = theatre_600().model_dump(mode="json")
    assert_problem(await client.post(f"/halls/{hall['id']}/layouts", headers=clerk, json=doc), 403)


# Every rule of the generator at once: curved and widening rows, odd/even numbering, letters
# from row C, a wheelchair row, two aisles, a standing area and a second, straight block.
PREVIEW_SPEC: dict[str, Any] = {
    "name": "Proefzaal",
    "seat_size": 24,
    "price_zones": [
        {"code": "A", "name": "Rang 1", "color": "#1f77b4"},
        {"code": "B", "name": "Rang 2", "color": "#2ca02c"},
    ],
    "blocks": [
        {
            "code": "STALLS",
            "name": "Parterre",
            "rows": 6,
            "seats_per_row": 14,
            "seats_per_row_step": 2,
            "zone": "A",
            "numbering": "odd_even",
            "row_labels": "letters",
            "first_row": 3,
            "curvature": 1.5,
            "wheelchair_row": 6,
            "aisle_after": [4, 10],
        },
        {"code": "BALCONY", "name": "Balkon", "rows": 2, "seats_per_row": 10, "zone": "B"},
    ],
    "standing": [{"code": "FLOOR", "name": "Vloer", "zone": "B", "capacity": 80}],
}


async def test_generate_previews_the_document_the_saving_route_stores(
    client: httpx.AsyncClient, tenant: Tenant, hall: dict[str, Any]
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    preview = await ok(await client.post("/seatmaps/generate", headers=h, json=PREVIEW_SPEC), 200)
    assert preview["format"] == "podium.seatmap/1"
    assert [s["code"] for s in preview["sections"]] == ["STALLS", "BALCONY"]
    assert [a["code"] for a in preview["standing_areas"]] == ["FLOOR"]
    seats = [seat for s in preview["sections"] for r in s["rows"] for seat in r["seats"]]
    assert len(seats) == 6 * 14 + 2 * 15 + 2 * 10
    assert preview["sections"][0]["rows"][0]["label"] == "C"
    # Nothing was stored.
    assert (await client.get(f"/halls/{hall['id']}/layouts", headers=h)).json() == []

    saved = await ok(
        await client.post(f"/halls/{hall['id']}/layouts/generate", headers=h, json=PREVIEW_SPEC)
    )
    assert saved["document"] == preview
    exported = (await client.get(f"/layouts/{saved['id']}/export", headers=h)).json()
    assert exported == preview
    report = (await client.post("/seatmaps/validate", headers=h, json=preview)).json()
    assert report["valid"], report

    # Previewing again changes nothing: still the one version saved above.
    await ok(await client.post("/seatmaps/generate", headers=h, json=PREVIEW_SPEC), 200)
    versions = (await client.get(f"/halls/{hall['id']}/layouts", headers=h)).json()
    assert [v["version"] for v in versions] == [1]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"rows": 0}, "blocks[0].rows", "greater than or equal to 1"),
        ({"curvature": 40}, "blocks[0]", "curvature 40 is too strong"),
        ({"aisle_after": [14]}, "blocks[0]", "aisle after seat 14"),
        ({"zone": "Z"}, "body", "price zone Z"),
        ({"colour": "red"}, "blocks[0].colour", "not expected"),
    ],
)
async def test_a_bad_spec_is_refused_the_same_way_by_both_routes(
    client: httpx.AsyncClient,
    tenant: Tenant,
    hall: dict[str, Any],
    change: dict[str, Any],
    field: str,
    words: str,
) -> None:
    h = tenant.staff[Role.HOUSE_ADMIN].headers
    spec = json.loads(json.dumps(PREVIEW_SPEC))
    spec["blocks"][0].update(change)
    preview = assert_problem(await client.post("/seatmaps/generate", headers=h, json=spec), 400)
    assert any(e["field"] == field and words in e["message"] for e in preview["errors"]), preview
    saving = assert_problem(
        await client.post(f"/halls/{hall['id']}/layouts/generate", headers=h, json=spec), 400
    )
    assert saving["errors"] == preview["errors"]
    assert saving["detail"] == preview["detail"]
    assert (await client.get(f"/halls/{hall['id']}/layouts", headers=h)).json() == []


async def test_generate_is_open_to_staff_like_validate(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    # Like POST /seatmaps/validate it touches no house's data: any logged-in caller may use
    # it, nobody else.
    clerk = tenant.staff[Role.BOX_OFFICE].headers
    for path, body in (
        ("/seatmaps/validate", theatre_600().model_dump(mode="json")),
        ("/seatmaps/generate", PREVIEW_SPEC),
    ):
        assert (await client.post(path, headers=clerk, json=body)).status_code == 200
        assert_problem(await client.post(path, json=body), 401)
