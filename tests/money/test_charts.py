"""The reports' charts (ticketing/money/charts.py) from reports built by hand: each is a
well-formed SVG image named by its title and described by its desc, bars as long as the
amounts they stand for, amounts written the Belgian way, and a title someone typed stays
text. An empty report still draws a chart, saying there is no data."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ticketing.money import charts
from ticketing.money.tables import Column, ColumnKind, Report

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    # Nothing that runs, loads or styles inline (the page's CSP forbids inline styles).
    for node in root.iter():
        assert node.tag not in {f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject"}
        assert "style" not in node.attrib
        assert not any(a.startswith("on") for a in node.attrib)
        assert not any("href" in a for a in node.attrib)
    return root


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def daily(rows: list[dict[str, object]], title: str = "Dagverkoop") -> Report:
    return Report(
        "daily-sales",
        title,
        [
            Column("date", "Datum", ColumnKind.DATE),
            Column("tariff_code", "Tarief", ColumnKind.TEXT),
            Column("tickets", "Tickets", ColumnKind.COUNT),
            Column("gross_cents", "Bruto", ColumnKind.CENTS),
            Column("vat_cents", "Btw", ColumnKind.CENTS),
            Column("net_cents", "Netto", ColumnKind.CENTS),
        ],
        rows,
    )


def mix(nets: dict[str | None, int]) -> Report:
    return Report(
        "payment-mix",
        "Betaalwijzen",
        [
            Column("payment_method", "Betaalwijze", ColumnKind.TEXT),
            Column("payments", "Betalingen", ColumnKind.COUNT),
            Column("taken_cents", "Ontvangen", ColumnKind.CENTS),
            Column("refunded_cents", "Terugbetaald", ColumnKind.CENTS),
            Column("net_cents", "Netto", ColumnKind.CENTS),
        ],
        [
            {"payment_method": m, "payments": 1, "taken_cents": n, "refunded_cents": 0}
            | {"net_cents": n}
            for m, n in nets.items()
        ],
    )


def cumulative(points: list[tuple[date, int]], capacity: int, title: str) -> Report:
    # The running columns are of their own kind in the report service; the chart reads
    # the values by key, whatever the kind.
    return Report(
        "cumulative-sales",
        title,
        [
            Column("date", "Datum", ColumnKind.DATE),
            Column("tickets", "Tickets", ColumnKind.COUNT),
            Column("cumulative", "Opgeteld", ColumnKind.COUNT),
            Column("capacity", "Capaciteit", ColumnKind.COUNT),
            Column("gross_cents", "Bruto", ColumnKind.CENTS),
        ],
        [
            {"date": d, "tickets": 1, "cumulative": c, "capacity": capacity, "gross_cents": 100}
            for d, c in points
        ],
    )


@pytest.mark.parametrize(
    ("cents", "lang", "shown"),
    [
        (123450, "nl", "€ 1.234,50"),
        (5, "nl", "€ 0,05"),
        (-123450, "nl", "€ -1.234,50"),
        (123456789, "nl", "€ 1.234.567,89"),
        (123450, "fr", "1 234,50 €"),
        (123450, "en", "€1,234.50"),
    ],
)
def test_amounts_are_written_the_way_the_language_writes_them(
    cents: int, lang: str, shown: str
) -> None:
    assert charts.euro(cents, lang) == shown


def test_daily_bars_add_up_the_groups_of_a_day_and_are_as_tall_as_their_totals() -> None:
    report = daily(
        [
            {"date": date(2026, 12, 1), "tariff_code": "BASE", "gross_cents": 3000},
            {"date": date(2026, 12, 1), "tariff_code": "U26", "gross_cents": 1500},
            {"date": date(2026, 12, 3), "tariff_code": "BASE", "gross_cents": 9000},
            # a day given as JSON gives it (an ISO string) counts the same
            {"date": "2026-12-04", "tariff_code": "BASE", "gross_cents": 2250},
        ]
    )
    root = parse(charts.daily_totals_svg(report))
    found = bars(root)
    assert [b.get("data-date") for b in found] == ["2026-12-01", "2026-12-03", "2026-12-04"]
    assert [int(b.get("data-cents", "")) for b in found] == [4500, 9000, 2250]
    heights = [float(b.get("height", "")) for b in found]
    assert heights[1] > 0
    for height, cents in zip(heights, [4500, 9000, 2250], strict=True):
        assert height / heights[1] == pytest.approx(cents / 9000, abs=0.01)
    # The bars stand on one baseline; the empty 2 December keeps its place on the axis.
    baselines = {round(float(b.get("y", "")) + float(b.get("height", "")), 1) for b in found}
    assert len(baselines) == 1
    xs = [float(b.get("x", "")) for b in found]
    assert xs[1] - xs[0] == pytest.approx(2 * (xs[2] - xs[1]), abs=0.2)
    labels = texts(root)
    assert {"€ 0,00", "€ 100,00"} <= set(labels)  # the value axis, in euros
    assert {"01/12", "02/12", "03/12", "04/12"} <= set(labels)
    assert {"Datum", "Bruto (€)"} <= set(labels)
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    assert all(part in desc for part in ("€ 157,50", "03/12/2026", "€ 90,00"))


def test_a_negative_day_hangs_below_the_zero_line() -> None:
    report = daily(
        [
            {"date": date(2026, 12, 1), "gross_cents": 4000},
            {"date": date(2026, 12, 2), "gross_cents": -2000},
        ]
    )
    up, down = bars(parse(charts.daily_totals_svg(report)))
    zero = float(up.get("y", "")) + float(up.get("height", ""))
    assert float(down.get("y", "")) == pytest.approx(zero, abs=0.1)
    assert float(down.get("height", "")) == pytest.approx(float(up.get("height", "")) / 2, 0.02)


def test_payment_mix_has_a_bar_per_method_as_long_as_its_net() -> None:
    root = parse(charts.payment_mix_svg(mix({"cash": 6000, "online": 3000, None: 1500})))
    found = bars(root)
    assert [b.get("data-method") for b in found] == ["Contant", "Online", "Onbekend"]
    widths = [float(b.get("width", "")) for b in found]
    assert widths[1] / widths[0] == pytest.approx(0.5, abs=0.01)
    assert widths[2] / widths[0] == pytest.approx(0.25, abs=0.01)
    labels = texts(root)
    assert {"Contant", "Online", "€ 60,00", "€ 30,00", "€ 15,00", "Netto (€)"} <= set(labels)
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    assert "Contant € 60,00" in desc
    english = parse(charts.payment_mix_svg(mix({"card_terminal": 100}), lang="en"))
    assert "Card terminal" in texts(english)
    assert english.get("lang") == "en"


def test_cumulative_sales_step_up_under_the_capacity_line() -> None:
    title = 'De "Storm" <script>alert(1)</script> & co'
    report = cumulative(
        [(date(2026, 12, 1), 10), (date(2026, 12, 2), 40), (date(2026, 12, 5), 100)], 200, title
    )
    svg = charts.cumulative_svg(report)
    assert "<script>" not in svg
    root = parse(svg)
    assert "".join(root.find(f"{SVG}title").itertext()) == title  # type: ignore[union-attr]
    points = [c for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]
    assert [int(c.get("data-tickets", "")) for c in points] == [10, 40, 100]
    line = next(n for n in root.iter(f"{SVG}line") if n.get("class") == "capacity")
    assert line.get("data-capacity") == "200"
    capacity_y = float(line.get("y1", ""))
    ys = [float(c.get("cy", "")) for c in points]
    assert capacity_y < ys[2] < ys[1] < ys[0]  # higher up the more sold, under capacity
    baseline = next(n for n in root.iter(f"{SVG}line") if n.get("y1") == n.get("y2") != None)  # noqa: E711
    zero_y = float(baseline.get("y1", ""))  # the first grid line is 0
    assert (zero_y - ys[2]) / (zero_y - capacity_y) == pytest.approx(0.5, abs=0.01)
    # Days are placed in time: 1 -> 2 December is a third of 2 -> 5 December.
    xs = [float(c.get("cx", "")) for c in points]
    assert (xs[2] - xs[1]) == pytest.approx(3 * (xs[1] - xs[0]), abs=0.2)
    assert {"Tickets", "Datum", "Capaciteit 200", "Verkocht (opgeteld)"} <= set(texts(root))
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    assert "100 verkocht van 200 plaatsen" in desc


def test_a_title_typed_by_staff_stays_text_in_every_chart() -> None:
    hostile = "</title><script>alert('x')</script>\"'&"
    drawings = [
        charts.daily_totals_svg(daily([{"date": date(2026, 12, 1), "gross_cents": 1}], hostile)),
        charts.daily_totals_svg(daily([], hostile)),
        charts.cumulative_svg(cumulative([(date(2026, 12, 1), 1)], 10, hostile)),
    ]
    for svg in drawings:
        assert "<script>" not in svg
        assert all(part in svg for part in ("&lt;script&gt;", "&quot;", "&#x27;"))
        root = parse(svg)
        assert "".join(root.find(f"{SVG}title").itertext()) == hostile  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "draw", [charts.daily_totals_svg, charts.payment_mix_svg, charts.cumulative_svg]
)
@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_an_empty_report_says_there_is_no_data(draw: object, lang: str) -> None:
    report = Report("empty", "Leeg", [Column("date", "Datum", ColumnKind.DATE)], [])
    root = parse(draw(report, lang))  # type: ignore[operator]
    assert bars(root) == []
    assert charts.WORDS[lang]["none"] in texts(root)
    desc = "".join(root.find(f"{SVG}desc").itertext())  # type: ignore[union-attr]
    assert desc.startswith(charts.WORDS[lang]["none"])


def test_the_three_charts_have_ids_of_their_own() -> None:
    """They are inlined in one page: their title and desc ids may not clash."""
    ids = set()
    for svg in (
        charts.daily_totals_svg(daily([])),
        charts.payment_mix_svg(mix({})),
        charts.cumulative_svg(cumulative([], 0, "x")),
    ):
        root = parse(svg)
        ids |= {n.get("id") for n in root.iter() if n.get("id")}
    assert len(ids) == 6


def test_ticks_are_round_and_cover_the_values() -> None:
    assert charts._ticks(0, 9000) == [0, 2000, 4000, 6000, 8000, 10000]
    assert charts._ticks(-2000, 4000) == [-2000, 0, 2000, 4000]
    assert charts._ticks(0, 7) == [0, 2, 4, 6, 8]
    assert charts._ticks(0, 0) == [0, 1]
