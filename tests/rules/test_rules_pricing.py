"""Checkout pricing, fees and tariff limits, as tables: no HTTP, no database.

The rules: a tariff's price from its zone price (ticketing.events.pricing.tariff_price);
what a tariff of each kind may be (events.service._normalise_tariff); every place of a
basket priced at its tariff, with the staff-only, UiTPAS and max-per-order limits
(orders.checkout.price_lines); the fees on top (orders.checkout.order_amounts); and the
places one basket may hold (inventory.service.check_basket_size).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from ticketing.core.errors import Conflict, DomainError, InvalidInput
from ticketing.events.models import PriceRule, TariffKind
from ticketing.events.pricing import tariff_price
from ticketing.events.service import _normalise_tariff
from ticketing.inventory.models import Channel
from ticketing.inventory.repository import HeldPlace, SaleTarget
from ticketing.inventory.service import MAX_PLACES, check_basket_size
from ticketing.orders.checkout import PricedLine, order_amounts, price_lines
from ticketing.orders.repository import PerformancePricing, PriceTariff, Pricing
from ticketing.orders.schemas import LineIn
from ticketing.tenancy.principal import Principal
from ticketing.tenancy.roles import Role

ONLINE, BOX_OFFICE = Channel.ONLINE.value, Channel.BOX_OFFICE.value

# --- tariff_price ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone_cents", "rule", "value", "price"),
    [
        pytest.param(2000, PriceRule.PERCENT_OFF, 0, 2000, id="0% off -> zone price"),
        pytest.param(2000, PriceRule.PERCENT_OFF, 25, 1500, id="25% off 20.00 -> 15.00"),
        pytest.param(2000, PriceRule.PERCENT_OFF, 100, 0, id="100% off -> free"),
        pytest.param(1999, PriceRule.PERCENT_OFF, 15, 1699, id="15% off 19.99 -> 16.99"),
        pytest.param(10, PriceRule.PERCENT_OFF, 5, 9, id="half a cent off rounds up -> 1 off"),
        pytest.param(10, PriceRule.PERCENT_OFF, 4, 10, id="0.4 cent off rounds down -> 0 off"),
        pytest.param(10, PriceRule.PERCENT_OFF, 6, 9, id="0.6 cent off rounds up -> 1 off"),
        pytest.param(30, PriceRule.PERCENT_OFF, 5, 28, id="1.5 cent off rounds up -> 2 off"),
        pytest.param(0, PriceRule.PERCENT_OFF, 50, 0, id="percent off a free zone -> free"),
        pytest.param(2000, PriceRule.PERCENT_OFF, 150, 0, id="more than 100% off never negative"),
        pytest.param(2000, PriceRule.AMOUNT_OFF, 0, 2000, id="0 off -> zone price"),
        pytest.param(2000, PriceRule.AMOUNT_OFF, 500, 1500, id="5.00 off 20.00 -> 15.00"),
        pytest.param(2000, PriceRule.AMOUNT_OFF, 1999, 1, id="all but a cent off -> 0.01"),
        pytest.param(2000, PriceRule.AMOUNT_OFF, 2000, 0, id="exactly the price off -> free"),
        pytest.param(2000, PriceRule.AMOUNT_OFF, 2500, 0, id="more than the price off -> free"),
        pytest.param(2000, PriceRule.FIXED, 1200, 1200, id="fixed below the zone price"),
        pytest.param(2000, PriceRule.FIXED, 2600, 2600, id="fixed above the zone price"),
        pytest.param(0, PriceRule.FIXED, 800, 800, id="fixed ignores a free zone"),
        pytest.param(2000, PriceRule.FIXED, 0, 0, id="fixed at zero -> free"),
        pytest.param(2000, PriceRule.FREE, 0, 0, id="free -> 0"),
        pytest.param(2000, PriceRule.FREE, 700, 0, id="free ignores its value"),
        pytest.param(2000, PriceRule.UITPAS, 0, None, id="UiTPAS -> priced at sale time"),
        pytest.param(0, PriceRule.UITPAS, 300, None, id="UiTPAS never computed locally"),
    ],
)
def test_tariff_price(zone_cents: int, rule: str, value: int, price: int | None) -> None:
    assert tariff_price(zone_cents, rule, value) == price


def test_tariff_price_refuses_an_unknown_rule() -> None:
    with pytest.raises(ValueError, match="half_price"):
        tariff_price(2000, "half_price", 50)


# --- what a tariff of each kind may be ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rule", "value", "staff_only", "stored"),
    [
        pytest.param(
            TariffKind.BASE,
            PriceRule.PERCENT_OFF,
            0,
            False,
            (PriceRule.PERCENT_OFF, 0, False),
            id="base at the zone price stays",
        ),
        pytest.param(
            TariffKind.REDUCED,
            PriceRule.PERCENT_OFF,
            100,
            False,
            (PriceRule.PERCENT_OFF, 100, False),
            id="100% off is allowed",
        ),
        pytest.param(
            TariffKind.REDUCED,
            PriceRule.PERCENT_OFF,
            101,
            False,
            "more than 100 percent",
            id="101% off -> refused",
        ),
        pytest.param(
            TariffKind.REDUCED,
            PriceRule.AMOUNT_OFF,
            5000,
            True,
            (PriceRule.AMOUNT_OFF, 5000, True),
            id="amount off above any price is kept (price floors at 0)",
        ),
        pytest.param(
            TariffKind.GROUP,
            PriceRule.FIXED,
            101,
            False,
            (PriceRule.FIXED, 101, False),
            id="fixed 1.01 is not a percentage",
        ),
        pytest.param(
            TariffKind.COMPLIMENTARY,
            PriceRule.FIXED,
            1500,
            False,
            (PriceRule.FREE, 0, True),
            id="complimentary -> free and staff only, whatever was asked",
        ),
        pytest.param(
            TariffKind.COMPLIMENTARY,
            PriceRule.UITPAS,
            0,
            False,
            (PriceRule.FREE, 0, True),
            id="complimentary with the UiTPAS rule -> still free",
        ),
        pytest.param(
            TariffKind.UITPAS,
            PriceRule.PERCENT_OFF,
            50,
            False,
            (PriceRule.UITPAS, 0, False),
            id="UiTPAS kind -> UiTPAS rule, value 0",
        ),
        pytest.param(
            TariffKind.UITPAS,
            PriceRule.UITPAS,
            0,
            True,
            (PriceRule.UITPAS, 0, True),
            id="UiTPAS kind keeps staff only",
        ),
        pytest.param(
            TariffKind.YOUTH,
            PriceRule.UITPAS,
            0,
            False,
            "Only a UiTPAS tariff",
            id="UiTPAS rule on a youth tariff -> refused",
        ),
        pytest.param(
            TariffKind.BASE,
            PriceRule.UITPAS,
            0,
            False,
            "Only a UiTPAS tariff",
            id="UiTPAS rule on the base tariff -> refused",
        ),
    ],
)
def test_what_a_tariff_may_be(
    kind: str, rule: str, value: int, staff_only: bool, stored: tuple[str, int, bool] | str
) -> None:
    if isinstance(stored, str):
        with pytest.raises(InvalidInput, match=stored):
            _normalise_tariff(kind, rule, value, staff_only)
    else:
        assert _normalise_tariff(kind, rule, value, staff_only) == stored


# --- price_lines: every place at its tariff, with the limits -----------------------------

HOUSE = uuid.UUID(int=1)
NEIGHBOUR = uuid.UUID(int=2)  # another house of the cluster, selling at its own counter
CLUSTER = uuid.UUID(int=3)
PERFORMANCE = uuid.UUID(int=4)
WHEN = datetime(2027, 3, 1, 20, tzinfo=UTC)

ZONE_PRICES = {"A": 3000, "B": 2000, "S": 1500}


def _tariff(
    n: int, code: str, rule: str, value: int = 0, *, most: int | None = None, staff: bool = False
) -> PriceTariff:
    return PriceTariff(uuid.UUID(int=100 + n), code, rule, value, most, staff, False)


TARIFFS = {
    t.code: t
    for t in (
        _tariff(0, "BASE", PriceRule.PERCENT_OFF),
        _tariff(1, "RED", PriceRule.PERCENT_OFF, 20),
        _tariff(2, "YOUTH", PriceRule.AMOUNT_OFF, 500, most=2),
        _tariff(3, "COMP", PriceRule.FREE, staff=True, most=2),
        _tariff(4, "STAFF", PriceRule.FIXED, 1000, staff=True),
        _tariff(5, "UITPAS", PriceRule.UITPAS),
        _tariff(6, "ONE", PriceRule.FIXED, 1200, most=1),
    )
}
PRICING = Pricing(
    {
        PERFORMANCE: PerformancePricing(
            PERFORMANCE,
            SaleTarget(
                PERFORMANCE,
                HOUSE,
                CLUSTER,
                uuid.UUID(int=5),
                "on_sale",
                "published",
                WHEN,
                WHEN,
                None,
                None,
                None,
                None,
                {"nl": "Test"},
            ),
            ZONE_PRICES,
            TARIFFS,
        )
    },
    "T",
    150,
)


def _place(n: int, zone: str = "A", quantity: int = 1) -> HeldPlace:
    """Place n of the basket: a seat, or (quantity > 1) standing places."""
    seat = f"S/A/{n}" if quantity == 1 and zone != "S" else None
    area = None if seat else "FLOOR"
    return HeldPlace(
        uuid.UUID(int=1000 + n), HOUSE, CLUSTER, PERFORMANCE, seat, area, zone, quantity, "held"
    )


def _line(n: int, tariff: str, quantity: int = 1) -> LineIn:
    return LineIn(item_id=uuid.UUID(int=1000 + n), tariff=tariff, quantity=quantity)


def _principal(house: uuid.UUID, role: Role) -> Principal:
    return Principal(uuid.UUID(int=50), "clerk@test", house_roles={house: frozenset({role})})


CLERK = _principal(HOUSE, Role.BOX_OFFICE)
ADMIN = _principal(HOUSE, Role.HOUSE_ADMIN)
SCANNER = _principal(HOUSE, Role.SCANNER)
NEIGHBOURS_CLERK = _principal(NEIGHBOUR, Role.BOX_OFFICE)
PLATFORM = Principal(None, None, is_platform_admin=True)


@dataclass(frozen=True)
class Sale:
    places: list[HeldPlace]
    lines: list[LineIn]
    channel: str = ONLINE
    seller: Principal | None = None
    counter: uuid.UUID | None = None


# Each priced line as (place number, tariff code, quantity, price in cents).
Priced = list[tuple[int, str, int, int]]


def _shown(priced: list[PricedLine]) -> Priced:
    return [(p.item.id.int - 1000, p.tariff.code, p.quantity, p.price_cents) for p in priced]


PRICE_LINES: list[object] = [
    pytest.param(Sale([_place(1)], []), [(1, "BASE", 1, 3000)], id="no line -> BASE"),
    pytest.param(
        Sale([_place(1), _place(2, "B")], []),
        [(1, "BASE", 1, 3000), (2, "BASE", 1, 2000)],
        id="each place at its own zone's price",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "RED")]), [(1, "RED", 1, 2400)], id="20% off 30.00 -> 24.00"
    ),
    pytest.param(
        Sale([_place(1, "S", 3)], [_line(1, "RED", 1)]),
        [(1, "RED", 1, 1200), (1, "BASE", 2, 1500)],
        id="standing 3, one line of 1 -> the other 2 at BASE",
    ),
    pytest.param(
        Sale([_place(1, "S", 3)], [_line(1, "RED", 2), _line(1, "YOUTH", 1)]),
        [(1, "RED", 2, 1200), (1, "YOUTH", 1, 1000)],
        id="standing 3 split over two tariffs, nothing left at BASE",
    ),
    pytest.param(
        Sale([_place(1, "S", 2)], [_line(1, "RED", 3)]),
        "More tickets than places for FLOOR",
        id="3 tickets for 2 standing places -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "RED"), _line(1, "YOUTH")]),
        "More tickets than places for S/A/1",
        id="two lines on one seat -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(9, "RED")]),
        "This place is not in the basket",
        id="a line for a place outside the basket -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "GOLD")]),
        "There is no tariff GOLD for this event",
        id="unknown tariff -> refused",
    ),
    pytest.param(
        Sale([_place(1), _place(2)], [_line(1, "YOUTH"), _line(2, "YOUTH")]),
        [(1, "YOUTH", 1, 2500), (2, "YOUTH", 1, 2500)],
        id="max 2 per order, exactly 2 -> sold",
    ),
    pytest.param(
        Sale([_place(1), _place(2), _place(3)], [_line(n, "YOUTH") for n in (1, 2, 3)]),
        "At most 2 tickets at tariff YOUTH per order",
        id="max 2 per order, third line -> refused",
    ),
    pytest.param(
        Sale([_place(1, "S", 3)], [_line(1, "YOUTH", 3)]),
        "At most 2 tickets at tariff YOUTH per order",
        id="max 2 per order, one line of 3 -> refused",
    ),
    pytest.param(
        Sale([_place(1, "S", 2), _place(2)], [_line(1, "YOUTH", 2), _line(2, "YOUTH")]),
        "At most 2 tickets at tariff YOUTH per order",
        id="max 2 per order counts across places",
    ),
    pytest.param(
        Sale([_place(1, "S", 2), _place(2, "B")], []),
        [(1, "BASE", 2, 1500), (2, "BASE", 1, 2000)],
        id="no limit on BASE",
    ),
    pytest.param(
        Sale([_place(1), _place(2)], [_line(1, "ONE"), _line(2, "RED")]),
        [(1, "ONE", 1, 1200), (2, "RED", 1, 2400)],
        id="max 1 per order, one -> sold at its fixed price",
    ),
    pytest.param(
        Sale([_place(1), _place(2)], [_line(1, "ONE"), _line(2, "ONE")]),
        "At most 1 tickets at tariff ONE per order",
        id="max 1 per order, two -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "UITPAS")], BOX_OFFICE, CLERK, HOUSE),
        "The UiTPAS social tariff needs a UiTPAS check",
        id="UiTPAS at the counter -> refused (no UiTPAS check yet)",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "UITPAS")]),
        "The UiTPAS social tariff needs a UiTPAS check",
        id="UiTPAS online -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")]),
        "Tariff COMP is only sold at the box office",
        id="staff-only tariff online -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], ONLINE, CLERK, HOUSE),
        "Tariff COMP is only sold at the box office",
        id="staff-only tariff online, even with a clerk -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], BOX_OFFICE, CLERK, HOUSE),
        [(1, "COMP", 1, 0)],
        id="complimentary at its own house's counter by its clerk -> free",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "STAFF")], BOX_OFFICE, ADMIN, HOUSE),
        [(1, "STAFF", 1, 1000)],
        id="staff-only tariff by the house admin -> sold",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "STAFF")], BOX_OFFICE, PLATFORM, HOUSE),
        [(1, "STAFF", 1, 1000)],
        id="staff-only tariff by a platform admin -> sold",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], BOX_OFFICE, SCANNER, HOUSE),
        "only its own box office can give it",
        id="staff-only tariff by a scanner of the house -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], BOX_OFFICE, None, HOUSE),
        "only its own box office can give it",
        id="staff-only tariff with no seller -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], BOX_OFFICE, NEIGHBOURS_CLERK, NEIGHBOUR),
        "only its own box office can give it",
        id="staff-only tariff at a neighbour house's counter -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "COMP")], BOX_OFFICE, CLERK, NEIGHBOUR),
        "only its own box office can give it",
        id="own clerk at a neighbour's counter -> refused",
    ),
    pytest.param(
        Sale([_place(1)], [_line(1, "RED")], BOX_OFFICE, NEIGHBOURS_CLERK, NEIGHBOUR),
        [(1, "RED", 1, 2400)],
        id="an open tariff at a neighbour's counter -> sold",
    ),
    pytest.param(
        Sale([_place(1, "S", 3)], [_line(1, "COMP", 3)], BOX_OFFICE, CLERK, HOUSE),
        "At most 2 tickets at tariff COMP per order",
        id="complimentary max 2, three at the counter -> refused",
    ),
    pytest.param(
        Sale([_place(1, "Z")], []),
        Conflict,
        id="a zone without a price -> conflict",
    ),
]


@pytest.mark.parametrize(("sale", "expected"), PRICE_LINES)
def test_price_lines(sale: Sale, expected: Priced | str | type[DomainError]) -> None:
    def run() -> list[PricedLine]:
        return price_lines(
            sale.places, sale.lines, sale.channel, PRICING, sale.seller, sale.counter
        )

    if isinstance(expected, list):
        assert _shown(run()) == expected
    elif isinstance(expected, str):
        with pytest.raises(InvalidInput, match=expected):
            run()
    else:
        with pytest.raises(expected):
            run()


@pytest.mark.parametrize(
    ("sale", "fields"),
    [
        pytest.param(
            Sale([_place(1), _place(2)], [_line(1, "GOLD"), _line(2, "COMP")]),
            ["lines[0].tariff", "lines[1].tariff"],
            id="every refused line is named, in order",
        ),
        pytest.param(
            Sale([_place(1, "S", 3)], [_line(1, "YOUTH", 1)], BOX_OFFICE, CLERK, HOUSE),
            [],
            id="the rest at BASE needs no line",
        ),
        pytest.param(
            Sale([_place(1), _place(2)], [_line(9, "RED"), _line(2, "RED", 2)]),
            ["lines[0].item_id", "lines"],
            id="a stray line and an over-covered place -> both named",
        ),
        pytest.param(
            Sale([_place(1, "S", 3)], [_line(1, "ONE", 1), _line(1, "ONE", 1)]),
            ["lines[1].tariff"],
            id="the line that goes over max per order is the one named",
        ),
    ],
)
def test_price_lines_names_every_refused_line(sale: Sale, fields: list[str]) -> None:
    def run() -> list[PricedLine]:
        return price_lines(
            sale.places, sale.lines, sale.channel, PRICING, sale.seller, sale.counter
        )

    if not fields:
        run()
        return
    with pytest.raises(InvalidInput) as raised:
        run()
    assert [e.field for e in raised.value.errors] == fields


# --- order_amounts: tickets and fees -----------------------------------------------------


def _priced(*lines: tuple[int, int]) -> list[PricedLine]:
    """(quantity, price in cents) per line."""
    return [
        PricedLine(i, _place(i), TARIFFS["BASE"], quantity, price)
        for i, (quantity, price) in enumerate(lines)
    ]


@pytest.mark.parametrize(
    ("priced", "channel", "fee", "amounts"),
    [
        pytest.param(_priced((1, 3000)), ONLINE, 150, (3000, 150), id="online, 1 ticket -> 1 fee"),
        pytest.param(
            _priced((2, 3000), (1, 1500)),
            ONLINE,
            150,
            (7500, 450),
            id="online, 3 tickets -> 3 fees",
        ),
        pytest.param(
            _priced((2, 3000), (1, 0)),
            ONLINE,
            150,
            (6000, 450),
            id="online, a free ticket among paid ones still bears a fee",
        ),
        pytest.param(
            _priced((2, 0)), ONLINE, 150, (0, 0), id="online, an order costing nothing -> no fee"
        ),
        pytest.param(
            _priced((1, 1)), ONLINE, 150, (1, 150), id="online, one cent of tickets -> fees"
        ),
        pytest.param(
            _priced((2, 3000)), BOX_OFFICE, 150, (6000, 0), id="box office -> never a fee"
        ),
        pytest.param(_priced((2, 3000)), ONLINE, 0, (6000, 0), id="house without a fee -> 0"),
        pytest.param(_priced(), ONLINE, 150, (0, 0), id="nothing priced -> nothing"),
        pytest.param(
            _priced((20, 2500)), ONLINE, 99, (50000, 1980), id="20 tickets online -> 20 fees"
        ),
    ],
)
def test_order_amounts(
    priced: list[PricedLine], channel: str, fee: int, amounts: tuple[int, int]
) -> None:
    assert order_amounts(priced, channel, fee) == amounts


# --- check_basket_size: places per performance in one basket -----------------------------


@pytest.mark.parametrize(
    ("already", "asked", "channel", "allowed"),
    [
        pytest.param(0, 1, ONLINE, True, id="online, 1 place -> fine"),
        pytest.param(0, 20, ONLINE, True, id="online, exactly 20 -> fine"),
        pytest.param(0, 21, ONLINE, False, id="online, 21 -> refused"),
        pytest.param(19, 1, ONLINE, True, id="online, 19 held + 1 -> 20, fine"),
        pytest.param(19, 2, ONLINE, False, id="online, 19 held + 2 -> refused"),
        pytest.param(20, 1, ONLINE, False, id="online, full basket + 1 -> refused"),
        pytest.param(20, 0, ONLINE, True, id="online, full basket + nothing -> fine"),
        pytest.param(0, 200, BOX_OFFICE, True, id="box office, exactly 200 -> fine"),
        pytest.param(0, 201, BOX_OFFICE, False, id="box office, 201 -> refused"),
        pytest.param(150, 50, BOX_OFFICE, True, id="box office, 150 held + 50 -> fine"),
        pytest.param(150, 51, BOX_OFFICE, False, id="box office, 150 held + 51 -> refused"),
        pytest.param(0, 21, BOX_OFFICE, True, id="box office, 21 -> fine (online limit only)"),
    ],
)
def test_basket_size(already: int, asked: int, channel: str, allowed: bool) -> None:
    if allowed:
        check_basket_size(already, asked, channel)
    else:
        limit = MAX_PLACES[Channel(channel)]
        with pytest.raises(InvalidInput, match=f"At most {limit} places per performance"):
            check_basket_size(already, asked, channel)
