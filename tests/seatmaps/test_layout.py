"""The layout document, its published JSON Schema and the whole-document validation rules."""

import copy
import json
import math
import random
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from ticketing.seatmaps.layout import (
    SCHEMA_PATH,
    LayoutDocument,
    SeatFlag,
    layout_json_schema,
    render_json_schema,
    seat_key,
)
from ticketing.seatmaps.validation import LayoutProblem, validate_layout

REPO = Path(__file__).resolve().parents[2]


def _seat(label: str, x: float, y: float, zone: str = "A", **extra: Any) -> dict[str, Any]:
    return {"label": label, "x": x, "y": y, "zone": zone, **extra}


def _raw() -> dict[str, Any]:
    """A small valid layout: two rows of three seats, a standing area, two zones."""
    return {
        "format": "podium.seatmap/1",
        "name": "Kleine zaal",
        "width": 300,
        "height": 300,
        "seat_size": 20,
        "stage": {"x": 50, "y": 10, "width": 200, "height": 40},
        "price_zones": [
            {"code": "A", "name": "Rang 1", "color": "#c0392b"},
            {"code": "B", "name": "Rang 2", "color": "#2e86c1"},
        ],
        "sections": [
            {
                "code": "STALLS",
                "name": "Stalls",
                "rows": [
                    {
                        "label": "A",
                        "seats": [_seat("1", 100, 80), _seat("2", 125, 80), _seat("3", 150, 80)],
                    },
                    {
                        "label": "B",
                        "seats": [
                            _seat("1", 100, 110, "B", flags=["wheelchair"]),
                            _seat("2", 125, 110, "B", flags=["companion"]),
                            _seat("3", 150, 110, "B"),
                        ],
                    },
                ],
            }
        ],
        "standing_areas": [
            {
                "code": "BAR",
                "name": "Bar",
                "zone": "B",
                "capacity": 40,
                "x": 50,
                "y": 200,
                "width": 200,
                "height": 60,
            }
        ],
    }


def _problems(raw: dict[str, Any]) -> list[LayoutProblem]:
    return validate_layout(LayoutDocument.model_validate(raw))


def _only(problems: list[LayoutProblem]) -> LayoutProblem:
    assert len(problems) == 1, problems
    return problems[0]


# --- the document ------------------------------------------------------------------------


def test_seat_key_joins_section_row_and_seat() -> None:
    assert seat_key("STALLS", "C", "12") == "STALLS/C/12"


def test_helpers_count_seats_capacity_and_zones() -> None:
    doc = LayoutDocument.model_validate(_raw())

    keys = [key for key, _, _, _ in doc.iter_seats()]
    assert keys[:4] == ["STALLS/A/1", "STALLS/A/2", "STALLS/A/3", "STALLS/B/1"]
    key, section, row, seat = next(doc.iter_seats())
    assert (key, section.code, row.label, seat.label) == ("STALLS/A/1", "STALLS", "A", "1")
    assert doc.seat_count == 6
    assert doc.standing_capacity == 40
    assert doc.zone_codes() == {"A", "B"}
    assert doc.sections[0].rows[1].seats[0].flags == [SeatFlag.WHEELCHAIR]


def test_defaults_apply_to_a_minimal_document() -> None:
    doc = LayoutDocument.model_validate(
        {"name": "Leeg", "width": 10, "height": 10, "price_zones": []}
    )

    assert doc.format == "podium.seatmap/1"
    assert doc.seat_size == 20
    assert doc.stage is None
    assert doc.sections == []
    assert doc.standing_areas == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("surprise",), 1),
        (("sections", 0, "rows", 0, "seats", 0, "colour"), "red"),
        (("price_zones", 0, "color"), "red"),
        (("price_zones", 0, "code"), "A B"),
        (("sections", 0, "code"), "X" * 17),
        (("sections", 0, "rows", 0, "label"), "A/B"),
        (("sections", 0, "rows", 0, "seats", 0, "label"), " 1"),
        (("sections", 0, "rows", 0, "seats", 0, "label"), ""),
        (("sections", 0, "rows", 0, "seats", 0, "flags"), ["vip"]),
        (("sections", 0, "rows", 0, "seats", 0, "x"), math.inf),
        (("standing_areas", 0, "capacity"), 0),
        (("standing_areas", 0, "width"), 0),
        (("name",), "   "),
        (("width",), 0),
        (("format",), "podium.seatmap/2"),
    ],
)
def test_models_reject_malformed_fields(path: tuple[str | int, ...], value: object) -> None:
    raw = _raw()
    target: Any = raw
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value

    with pytest.raises(ValidationError):
        LayoutDocument.model_validate(raw)


def test_export_round_trips_and_matches_the_published_schema() -> None:
    doc = LayoutDocument.model_validate(_raw())
    exported = doc.model_dump(mode="json")

    Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))).validate(exported)
    assert LayoutDocument.model_validate(exported) == doc
    assert LayoutDocument.model_validate_json(doc.model_dump_json()) == doc


def test_published_schema_file_is_up_to_date() -> None:
    # Regenerate with: python -m ticketing.seatmaps.layout
    assert SCHEMA_PATH == REPO / "docs" / "schemas" / "seatmap-layout.schema.json"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_json_schema()


def test_published_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = layout_json_schema()

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://podium.example/schemas/seatmap-layout.schema.json"
    assert schema["title"]


def test_published_schema_rejects_what_the_models_reject() -> None:
    validator = Draft202012Validator(layout_json_schema())
    raw = _raw()
    raw["sections"][0]["rows"][0]["seats"][0]["colour"] = "red"
    raw["sections"][0]["rows"][1]["label"] = "A/B"

    assert len(list(validator.iter_errors(raw))) == 2


def test_example_in_the_docs_is_a_valid_layout() -> None:
    text = (REPO / "docs" / "seatmaps.md").read_text(encoding="utf-8")
    match = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert match is not None
    example = json.loads(match.group(1))

    Draft202012Validator(layout_json_schema()).validate(example)
    assert validate_layout(LayoutDocument.model_validate(example)) == []


# --- validation rules --------------------------------------------------------------------


def test_a_valid_layout_has_no_problems() -> None:
    assert _problems(_raw()) == []


def test_standing_only_layout_is_valid() -> None:
    raw = _raw()
    raw["sections"] = []

    assert _problems(raw) == []


def test_empty_layout() -> None:
    raw = _raw()
    raw["sections"] = []
    raw["standing_areas"] = []

    problem = _only(_problems(raw))
    assert problem.field == "sections"
    assert problem.seat is None
    assert "no seats and no standing areas" in problem.message


def test_duplicate_price_zone_code() -> None:
    raw = _raw()
    raw["price_zones"].append({"code": "A", "name": "Loge", "color": "#000000"})

    problem = _only(_problems(raw))
    assert problem.field == "price_zones[2].code"
    assert "Price zone code A" in problem.message
    assert "Loge" in problem.message


def test_duplicate_section_code() -> None:
    raw = _raw()
    balcony = {
        "code": "STALLS",
        "name": "Balkon",
        "rows": [{"label": "A", "seats": [_seat("1", 100, 160)]}],
    }
    raw["sections"].append(balcony)

    problem = _only(_problems(raw))
    assert problem.field == "sections[1].code"
    assert "Section code STALLS" in problem.message
    assert "Balkon" in problem.message


def test_duplicate_standing_area_code() -> None:
    raw = _raw()
    second = dict(raw["standing_areas"][0], y=100, height=20, x=200, width=50)
    raw["standing_areas"].append(second)

    problem = _only(_problems(raw))
    assert problem.field == "standing_areas[1].code"
    assert "Standing area code BAR is used twice" in problem.message


def test_standing_area_code_equal_to_a_section_code() -> None:
    raw = _raw()
    raw["standing_areas"][0]["code"] = "STALLS"

    problem = _only(_problems(raw))
    assert problem.field == "standing_areas[0].code"
    assert "also the code of a section" in problem.message


def test_duplicate_row_label() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][1]["label"] = "A"

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[1].label"
    assert problem.message == "Row A appears twice in section STALLS."


def test_duplicate_seat_label() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][0]["seats"][2]["label"] = "2"

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[0].seats[2].label"
    assert problem.seat == "STALLS/A/2"
    assert problem.message == "Seat STALLS/A/2 appears twice in row A of section STALLS."


def test_seat_with_unknown_price_zone() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][1]["seats"][2]["zone"] = "Z"

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[1].seats[2].zone"
    assert problem.seat == "STALLS/B/3"
    assert problem.message == (
        "Seat STALLS/B/3 uses price zone Z, which is not defined in this layout."
    )


def test_standing_area_with_unknown_price_zone() -> None:
    raw = _raw()
    raw["standing_areas"][0]["zone"] = "Z"

    problem = _only(_problems(raw))
    assert problem.field == "standing_areas[0].zone"
    assert "Standing area BAR uses price zone Z" in problem.message


def test_overlapping_seats_are_reported_once_on_the_later_seat() -> None:
    raw = _raw()
    # 17 units apart: closer than 0.9 x 20 = 18.
    raw["sections"][0]["rows"][0]["seats"][1]["x"] = 117

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[0].seats[1]"
    assert problem.seat == "STALLS/A/2"
    assert "STALLS/A/2" in problem.message
    assert "STALLS/A/1" in problem.message
    assert "17 units apart" in problem.message


def test_seats_exactly_at_the_minimum_distance_do_not_overlap() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][0]["seats"][1]["x"] = 118

    assert _problems(raw) == []


def test_overlap_across_rows_names_both_seats() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][1]["seats"][2]["y"] = 85

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[1].seats[2]"
    assert problem.message.startswith("Seat STALLS/B/3 overlaps seat STALLS/A/3")


def test_seat_outside_the_canvas() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][0]["seats"][0]["x"] = -5
    raw["sections"][0]["rows"][1]["seats"][2]["y"] = 301

    problems = _problems(raw)
    assert [(p.field, p.seat) for p in problems] == [
        ("sections[0].rows[0].seats[0].x", "STALLS/A/1"),
        ("sections[0].rows[1].seats[2].y", "STALLS/B/3"),
    ]
    assert problems[0].message == (
        "Seat STALLS/A/1 lies outside the drawing: its x is -5, but must be between 0 and 300."
    )


def test_standing_area_not_fully_inside_the_canvas() -> None:
    raw = _raw()
    raw["standing_areas"][0]["height"] = 120

    problem = _only(_problems(raw))
    assert problem.field == "standing_areas[0]"
    assert "Standing area BAR does not fit inside the drawing" in problem.message


def test_stage_not_inside_the_canvas() -> None:
    raw = _raw()
    raw["stage"]["x"] = 150

    problem = _only(_problems(raw))
    assert problem.field == "stage"


def test_row_without_seats() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][1]["seats"] = []

    problem = _only(_problems(raw))
    assert problem.field == "sections[0].rows[1].seats"
    assert problem.message == "Row B of section STALLS has no seats."


def test_section_without_rows() -> None:
    raw = _raw()
    raw["sections"].append({"code": "BALCONY", "name": "Balkon", "rows": []})

    problem = _only(_problems(raw))
    assert problem.field == "sections[1].rows"
    assert problem.message == "Section BALCONY has no rows."


def test_all_problems_are_returned_together() -> None:
    raw = _raw()
    raw["sections"][0]["rows"][0]["seats"][0]["zone"] = "Z"
    raw["sections"][0]["rows"][1]["seats"][0]["label"] = "2"
    raw["standing_areas"][0]["zone"] = "Q"

    fields = {problem.field for problem in _problems(raw)}
    # The second seat labelled 2 is the duplicate, even though the first one was renamed.
    assert fields == {
        "sections[0].rows[0].seats[0].zone",
        "sections[0].rows[1].seats[1].label",
        "standing_areas[0].zone",
    }


# --- overlap detection at scale ----------------------------------------------------------


def _grid_layout(columns: int, rows: int, spacing: float) -> dict[str, Any]:
    raw = _raw()
    raw["width"] = columns * spacing + 40
    raw["height"] = rows * spacing + 40
    raw["standing_areas"] = []
    raw["stage"] = None
    raw["sections"] = [
        {
            "code": "S",
            "name": "Zaal",
            "rows": [
                {
                    "label": str(r + 1),
                    "seats": [
                        _seat(str(c + 1), 20 + c * spacing, 20 + r * spacing)
                        for c in range(columns)
                    ],
                }
                for r in range(rows)
            ],
        }
    ]
    return raw


def test_overlaps_among_five_thousand_seats() -> None:
    raw = _grid_layout(100, 50, 20)
    assert _problems(raw) == []

    moved = copy.deepcopy(raw)
    # Two seats pushed towards their left neighbour, one onto the seat below it.
    moved["sections"][0]["rows"][10]["seats"][40]["x"] -= 5
    moved["sections"][0]["rows"][30]["seats"][99]["x"] -= 3
    moved["sections"][0]["rows"][48]["seats"][0]["y"] += 19

    problems = _problems(moved)
    assert [(p.seat, p.field) for p in problems] == [
        ("S/11/41", "sections[0].rows[10].seats[40]"),
        ("S/31/100", "sections[0].rows[30].seats[99]"),
        ("S/50/1", "sections[0].rows[49].seats[0]"),
    ]
    assert "overlaps seat S/11/40" in problems[0].message
    assert "overlaps seat S/49/1" in problems[2].message


def test_overlap_detection_agrees_with_comparing_every_pair() -> None:
    rng = random.Random(20240601)
    seats = [_seat(str(i), rng.uniform(0, 800), rng.uniform(0, 800)) for i in range(1000)]
    raw = _raw()
    raw.update(width=800, height=800, stage=None, standing_areas=[])
    raw["sections"] = [{"code": "S", "name": "Zaal", "rows": [{"label": "A", "seats": seats}]}]

    reported = {
        (problem.seat, other)
        for problem in _problems(raw)
        for other in re.findall(r"overlaps seat (\S+):", problem.message)
    }
    expected = {
        (f"S/A/{j}", f"S/A/{i}")
        for j in range(len(seats))
        for i in range(j)
        if math.dist((seats[i]["x"], seats[i]["y"]), (seats[j]["x"], seats[j]["y"])) < 18
    }
    assert expected
    assert reported == expected
