"""The seat-map layout document, format ``podium.seatmap/1``.

A layout is the drawing of one hall: price zones, sections of rows of seats, standing areas
and the stage. It is stored as JSON and exchanged with other tools, so the models here are the
contract; ``docs/schemas/seatmap-layout.schema.json`` is generated from them (run
``python -m ticketing.seatmaps.layout``) and a test keeps the two identical.

The models only check the shape of each field. Rules that need the whole document (unique
codes, known zones, overlapping seats, ...) live in ``validation.py`` so that an editor can
save a draft and be told every problem at once instead of the first one.
"""

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT: Final = "podium.seatmap/1"
SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID: Final = "https://podium.example/schemas/seatmap-layout.schema.json"
SCHEMA_TITLE: Final = "Podium seat-map layout (podium.seatmap/1)"
SCHEMA_PATH: Final = (
    Path(__file__).resolve().parents[2] / "docs" / "schemas" / "seatmap-layout.schema.json"
)

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,16}$")]
"""Code of a price zone, section or standing area: short, and safe in a seat key or a URL."""

# "/" is the separator inside seat keys, so a label containing it would make two different
# seats share a key; surrounding spaces would make "C" and "C " two rows that look the same.
Label = Annotated[
    str,
    StringConstraints(min_length=1, max_length=16, pattern=r"^[^/\s](?:[^/]*[^/\s])?$"),
]
"""Row or seat label as printed on the ticket, e.g. "C" or "12"."""

Name = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"\S")]
"""Human-readable name shown to the audience; must not be blank."""

Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


def seat_key(section_code: str, row_label: str, seat_label: str) -> str:
    """Stable identifier of a seat within a layout, used by inventory and tickets."""
    return f"{section_code}/{row_label}/{seat_label}"


class StrictModel(BaseModel):
    """Base of all layout models.

    Unknown fields are rejected so that a typo in an imported file is an error rather than a
    silently dropped setting. Infinity and NaN are rejected because JSON cannot carry them:
    the export would no longer round-trip.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class SeatFlag(StrEnum):
    """Properties of a seat that the shop shows and the box office sells differently."""

    WHEELCHAIR = "wheelchair"
    COMPANION = "companion"
    RESTRICTED_VIEW = "restricted_view"
    AISLE = "aisle"
    BLOCKED = "blocked"


class Stage(StrictModel):
    """The stage, drawn as a rectangle so that the audience can orient itself."""

    x: float
    y: float
    width: float = Field(gt=0)
    height: float = Field(gt=0)
    label: Name = "Podium"


class PriceZone(StrictModel):
    """A price zone (rang): each performance sets a price per zone."""

    code: Code
    name: Name
    color: Color = Field(description="Fill colour of available seats, as #rrggbb.")


class Seat(StrictModel):
    """One seat; (x, y) is the centre of its circle in drawing units, y growing downwards."""

    label: Label
    x: float
    y: float
    zone: Code = Field(description="Code of one of the layout's price zones.")
    flags: list[SeatFlag] = Field(default_factory=list)


class Row(StrictModel):
    """A row of seats, listed left to right as seen from the audience facing the stage."""

    label: Label
    seats: list[Seat]


class Section(StrictModel):
    """A part of the hall with its own row labels, e.g. the stalls or a balcony."""

    code: Code
    name: Name
    rows: list[Row]


class StandingArea(StrictModel):
    """An unnumbered area sold up to its capacity; (x, y) is its top-left corner."""

    code: Code
    name: Name
    zone: Code = Field(description="Code of one of the layout's price zones.")
    capacity: int = Field(ge=1)
    x: float
    y: float
    width: float = Field(gt=0)
    height: float = Field(gt=0)


class LayoutDocument(StrictModel):
    """A seat map of one hall. Drawing units are abstract; y grows downwards."""

    format: Literal["podium.seatmap/1"] = FORMAT
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
    width: float = Field(gt=0, description="Width of the drawing (canvas) in units.")
    height: float = Field(gt=0, description="Height of the drawing (canvas) in units.")
    seat_size: float = Field(default=20, gt=0, description="Diameter of a seat circle in units.")
    stage: Stage | None = None
    price_zones: list[PriceZone]
    sections: list[Section] = Field(default_factory=list)
    standing_areas: list[StandingArea] = Field(default_factory=list)

    def iter_seats(self) -> Iterator[tuple[str, Section, Row, Seat]]:
        """Every seat with its key, in document order (section, row, left to right)."""
        for section in self.sections:
            for row in section.rows:
                for seat in row.seats:
                    yield seat_key(section.code, row.label, seat.label), section, row, seat

    @property
    def seat_count(self) -> int:
        return sum(len(row.seats) for section in self.sections for row in section.rows)

    @property
    def standing_capacity(self) -> int:
        return sum(area.capacity for area in self.standing_areas)

    def zone_codes(self) -> set[str]:
        return {zone.code for zone in self.price_zones}


def layout_json_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of a layout document."""
    schema = LayoutDocument.model_json_schema(mode="validation")
    return {**schema, "$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, "title": SCHEMA_TITLE}


def render_json_schema() -> str:
    """The schema exactly as committed, so that a test can detect drift byte for byte."""
    return json.dumps(layout_json_schema(), indent=2, sort_keys=True) + "\n"


def write_json_schema(path: Path = SCHEMA_PATH) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_json_schema(), encoding="utf-8")


if __name__ == "__main__":
    write_json_schema()
    print(f"wrote {SCHEMA_PATH}")
