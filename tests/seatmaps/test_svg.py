"""SVG rendering of a layout with seat states."""

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from ticketing.seatmaps.demo_layouts import standing_1200, theatre_600
from ticketing.seatmaps.layout import LayoutDocument
from ticketing.seatmaps.svg import UNAVAILABLE_FILL, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    # The input is our own output, so the usual worries about hostile XML do not apply.
    return ET.fromstring(svg)  # noqa: S314


def _seats(root: ET.Element) -> dict[str, ET.Element]:
    return {
        circle.attrib["data-seat"]: circle
        for circle in root.iter(f"{SVG}circle")
        if "data-seat" in circle.attrib
    }


def _title_of(element: ET.Element) -> str:
    title = element.find(f"{SVG}title")
    assert title is not None
    return title.text or ""


def _small_layout(zone_name: str = "Rang 1", section_name: str = "Parterre") -> LayoutDocument:
    raw: dict[str, Any] = {
        "name": "Kleine zaal",
        "width": 300,
        "height": 260,
        "stage": {"x": 50, "y": 10, "width": 200, "height": 40},
        "price_zones": [
            {"code": "A", "name": zone_name, "color": "#c0392b"},
            {"code": "B", "name": "Rang 2", "color": "#2e86c1"},
        ],
        "sections": [
            {
                "code": "STALLS",
                "name": section_name,
                "rows": [
                    {
                        "label": "C",
                        "seats": [
                            {"label": "11", "x": 100, "y": 80, "zone": "A"},
                            {
                                "label": "12",
                                "x": 125,
                                "y": 80,
                                "zone": "A",
                                "flags": ["wheelchair"],
                            },
                            {"label": "13", "x": 150, "y": 80, "zone": "B", "flags": ["blocked"]},
                        ],
                    }
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
                "y": 150,
                "width": 200,
                "height": 60,
            }
        ],
    }
    return LayoutDocument.model_validate(raw)


def test_output_is_a_scalable_standalone_svg() -> None:
    doc = _small_layout()
    root = _parse(render_svg(doc))

    assert root.tag == f"{SVG}svg"
    assert root.attrib["viewBox"].startswith("0 0 300 ")
    assert float(root.attrib["viewBox"].split()[3]) >= doc.height
    assert root.attrib["width"] == "100%"
    assert "height" not in root.attrib
    assert root.attrib["role"] == "img"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Kleine zaal"


def test_title_can_be_given() -> None:
    root = _parse(render_svg(_small_layout(), title="Hamlet, 12 mei"))

    assert root[0].text == "Hamlet, 12 mei"


def test_one_circle_per_seat_for_a_big_layout() -> None:
    doc = theatre_600()
    seats = _seats(_parse(render_svg(doc)))

    assert len(seats) == doc.seat_count == 600
    assert set(seats) == {key for key, _, _, _ in doc.iter_seats()}


def test_available_seats_take_their_zone_colour() -> None:
    seats = _seats(_parse(render_svg(_small_layout())))

    circle = seats["STALLS/C/11"]
    assert circle.attrib["fill"] == "#c0392b"
    assert circle.attrib["data-state"] == "available"
    assert float(circle.attrib["r"]) == 10
    assert "seat-available" in circle.attrib["class"].split()
    assert "zone-A" in circle.attrib["class"].split()


def test_sold_and_held_seats_are_grey() -> None:
    states = {"STALLS/C/11": "sold", "STALLS/C/12": "held"}
    seats = _seats(_parse(render_svg(_small_layout(), states)))

    assert seats["STALLS/C/11"].attrib["fill"] == UNAVAILABLE_FILL == "#c8c8c8"
    assert seats["STALLS/C/11"].attrib["data-state"] == "sold"
    assert "seat-sold" in seats["STALLS/C/11"].attrib["class"].split()
    assert seats["STALLS/C/12"].attrib["data-state"] == "held"
    assert seats["STALLS/C/12"].attrib["fill"] == UNAVAILABLE_FILL


def test_seats_flagged_blocked_are_blocked_unless_sold() -> None:
    blocked = _seats(_parse(render_svg(_small_layout())))["STALLS/C/13"]
    sold = _seats(_parse(render_svg(_small_layout(), {"STALLS/C/13": "sold"})))["STALLS/C/13"]

    assert blocked.attrib["data-state"] == "blocked"
    assert blocked.attrib["fill"] == UNAVAILABLE_FILL
    assert sold.attrib["data-state"] == "sold"


def test_each_seat_has_a_spoken_description() -> None:
    seats = _seats(_parse(render_svg(_small_layout())))

    assert _title_of(seats["STALLS/C/12"]) == (
        "Section Parterre, row C, seat 12, Rang 1, wheelchair space, available"
    )
    assert _title_of(seats["STALLS/C/13"]) == "Section Parterre, row C, seat 13, Rang 2, blocked"


def test_wheelchair_spaces_are_marked() -> None:
    root = _parse(render_svg(_small_layout()))

    markers = [rect for rect in root.iter(f"{SVG}rect") if rect.get("class") == "seat-marker"]
    assert len(markers) == 1
    side = float(markers[0].attrib["width"])
    assert float(markers[0].attrib["x"]) + side / 2 == pytest.approx(125)


def test_row_labels_at_both_ends() -> None:
    doc = theatre_600()
    root = _parse(render_svg(doc))

    labels = [text for text in root.iter(f"{SVG}text") if text.get("class") == "row-label"]
    rows = [row for section in doc.sections for row in section.rows]
    assert len(labels) == 2 * len(rows)
    assert [label.text for label in labels[:2]] == ["A", "A"]
    first_row = rows[0].seats
    assert float(labels[0].attrib["x"]) < first_row[0].x
    assert float(labels[1].attrib["x"]) > first_row[-1].x
    assert float(labels[0].attrib["font-size"]) == pytest.approx(0.6 * doc.seat_size)


def test_standing_areas_show_name_capacity_and_state() -> None:
    root = _parse(render_svg(standing_1200(), {"FLOOR": "sold"}))

    (group,) = [g for g in root.iter(f"{SVG}g") if g.get("data-area") == "FLOOR"]
    assert group.attrib["data-state"] == "sold"
    rect = group.find(f"{SVG}rect")
    assert rect is not None
    assert rect.attrib["fill"] == UNAVAILABLE_FILL
    assert float(rect.attrib["rx"]) > 0
    texts = [text.text for text in group.iter(f"{SVG}text")]
    assert texts == ["Staanplaats", "1200 places"]


def test_legend_lists_every_price_zone() -> None:
    doc = theatre_600()
    root = _parse(render_svg(doc))

    (legend,) = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend"]
    assert [text.text for text in legend.iter(f"{SVG}text")] == ["Rang 1", "Rang 2", "Rang 3"]
    swatches = [rect.attrib["fill"] for rect in legend.iter(f"{SVG}rect")]
    assert swatches == [zone.color for zone in doc.price_zones]


def test_text_is_escaped() -> None:
    doc = _small_layout(zone_name="<Balkon & co>", section_name='Loge "Koning"')
    svg = render_svg(doc, title="Tom & Jerry <live>")
    root = _parse(svg)

    assert "<Balkon" not in svg
    assert root[0].text == "Tom & Jerry <live>"
    seats = _seats(root)
    assert _title_of(seats["STALLS/C/11"]).startswith('Section Loge "Koning", row C, seat 11')
    assert "<Balkon & co>" in _title_of(seats["STALLS/C/11"])
    legend_texts = [text.text for text in root.iter(f"{SVG}text")]
    assert "<Balkon & co>" in legend_texts


def test_output_is_deterministic() -> None:
    states = {"STALLS/A/1": "sold", "BALCONY/1/3": "held"}

    assert render_svg(theatre_600(), states) == render_svg(theatre_600(), dict(states))


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown state 'gone'"):
        render_svg(_small_layout(), {"STALLS/C/11": "gone"})


def test_states_for_unknown_seats_are_ignored() -> None:
    root = _parse(render_svg(_small_layout(), {"STALLS/Z/99": "sold"}))

    assert {circle.attrib["data-state"] for circle in _seats(root).values()} == {
        "available",
        "blocked",
    }
