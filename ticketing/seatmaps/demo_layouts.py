"""Demo halls for the demo data, the docs and the tests, built with the generator.

They double as examples of what the generator does and of the small touches (a second
price zone in one section, extra wheelchair spaces, restricted-view seats) that a house admin
would add by hand afterwards.
"""

from collections.abc import Callable

from ticketing.seatmaps.generator import BlockSpec, GeneratorSpec, StandingSpec, generate_layout
from ticketing.seatmaps.layout import LayoutDocument, PriceZone, Row, SeatFlag, Section


def _section(doc: LayoutDocument, code: str) -> Section:
    return next(section for section in doc.sections if section.code == code)


def _add_flag(row: Row, index: int, flag: SeatFlag) -> None:
    seat = row.seats[index]
    if flag not in seat.flags:
        seat.flags = [known for known in SeatFlag if known in seat.flags or known == flag]


def theatre_600() -> LayoutDocument:
    """The "Grote zaal": curved stalls (rows A-P, zones A and B) and a curved balcony (zone C).

    600 seats: the stalls widen from 22 to 37 seats (472 seats), the balcony has 4 rows of
    32 (128 seats). Wheelchair spaces with a companion seat next to them at both ends of the
    first and the last stalls row; the outermost balcony seats have a restricted view.
    """
    doc = generate_layout(
        GeneratorSpec(
            name="Grote zaal",
            price_zones=[
                PriceZone(code="A", name="Rang 1", color="#c0392b"),
                PriceZone(code="B", name="Rang 2", color="#2e86c1"),
                PriceZone(code="C", name="Rang 3", color="#27ae60"),
            ],
            blocks=[
                BlockSpec(
                    code="STALLS",
                    name="Parterre",
                    rows=16,
                    seats_per_row=22,
                    seats_per_row_step=1,
                    zone="A",
                    numbering="odd_even",
                    row_labels="letters",
                    curvature=1.5,
                    wheelchair_row=16,
                ),
                BlockSpec(
                    code="BALCONY",
                    name="Balkon",
                    rows=4,
                    seats_per_row=32,
                    zone="C",
                    numbering="odd_even",
                    curvature=2.5,
                    offset_y=2,
                    aisle_after=[8, 24],
                ),
            ],
        )
    )
    stalls = _section(doc, "STALLS")
    # The generator gives a block one zone; the back six rows of the stalls are cheaper.
    for row in stalls.rows[10:]:
        for seat in row.seats:
            seat.zone = "B"
    front = stalls.rows[0]
    for outermost, companion in ((0, 1), (-1, -2)):
        _add_flag(front, outermost, SeatFlag.WHEELCHAIR)
        _add_flag(front, companion, SeatFlag.COMPANION)
    # The balcony's side walls hide part of the stage from its outermost seats.
    for row in _section(doc, "BALCONY").rows[:2]:
        _add_flag(row, 0, SeatFlag.RESTRICTED_VIEW)
        _add_flag(row, -1, SeatFlag.RESTRICTED_VIEW)
    return doc


def studio_250() -> LayoutDocument:
    """The "Studio": 10 straight rows of 25 seats, one price, wheelchair spaces in the back row."""
    return generate_layout(
        GeneratorSpec(
            name="Studio",
            price_zones=[PriceZone(code="A", name="Enkel tarief", color="#8e44ad")],
            blocks=[
                BlockSpec(
                    code="ZAAL",
                    name="Zaal",
                    rows=10,
                    seats_per_row=25,
                    zone="A",
                    wheelchair_row=10,
                )
            ],
        )
    )


def standing_1200() -> LayoutDocument:
    """The "Concertzaal": a standing floor for 1200 people and no seats."""
    return generate_layout(
        GeneratorSpec(
            name="Concertzaal",
            price_zones=[PriceZone(code="A", name="Staanplaats", color="#d35400")],
            standing=[
                StandingSpec(
                    code="FLOOR",
                    name="Staanplaats",
                    zone="A",
                    capacity=1200,
                    width=40,
                    height=25,
                )
            ],
        )
    )


DEMO_LAYOUTS: dict[str, Callable[[], LayoutDocument]] = {
    "theatre_600": theatre_600,
    "studio_250": studio_250,
    "standing_1200": standing_1200,
}
