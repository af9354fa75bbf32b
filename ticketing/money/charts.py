"""The reports' charts, drawn on the server as SVG from a `Report` (pure functions, no I/O).

Each chart is an image to assistive technology (`role="img"`), named by its `<title>` and
described by its `<desc>`, which says in words what the chart shows (the page puts the
report's table beside it, so no figure lives only in the drawing). Colours come as
presentation attributes, never `style`: the pages' Content Security Policy refuses inline
styles, and the charts are inlined in the admin page. No font is downloaded, no script
runs. Everything a user typed (an event's title in a report's title) is escaped.

The three charts: daily totals (bars of gross per day), payment mix (horizontal bars of
net per payment method) and cumulative sales of a performance against its capacity.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from html import escape

from ticketing.money.tables import Report

WIDTH = 640
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 120, 24, 40, 64
# Contrast on white: text 16:1, axes 7:1, bars and lines over 6:1 (WCAG asks 4.5:1 for
# text, 3:1 for the parts of a graphic); the grid is decoration only.
INK = "#1a1a1a"
AXIS = "#595959"
GRID = "#d9d9d9"
BAR = "#1f5f99"
CAPACITY = "#b3261e"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "none": "Geen gegevens",
        "none_desc": "Er zijn geen gegevens voor deze periode.",
        "day": "Datum",
        "gross": "Bruto (€)",
        "net": "Netto (€)",
        "tickets": "Tickets",
        "daily_desc": "Bruto-omzet per dag van {first} tot {last}: in totaal {total} "
        "over {days} met verkoop; de hoogste dag is {top} met {top_amount}.",
        "mix_desc": "Netto ontvangen per betaalwijze: {items}.",
        "cumulative_desc": "Verkochte tickets opgeteld per dag, van {first} tot {last}: "
        "{sold} verkocht van {capacity} plaatsen.",
        "days": "{n} dagen",
        "days_one": "1 dag",
        "cumulative": "Verkocht (opgeteld)",
        "capacity": "Capaciteit {n}",
        "cash": "Contant",
        "card_terminal": "Betaalterminal",
        "invoice": "Factuur",
        "online": "Online",
        "unknown": "Onbekend",
    },
    "fr": {
        "none": "Pas de données",
        "none_desc": "Il n'y a pas de données pour cette période.",
        "day": "Date",
        "gross": "Brut (€)",
        "net": "Net (€)",
        "tickets": "Billets",
        "daily_desc": "Chiffre d'affaires brut par jour du {first} au {last} : {total} au "
        "total sur {days} de vente ; le meilleur jour est le {top} avec {top_amount}.",
        "mix_desc": "Net encaissé par moyen de paiement : {items}.",
        "cumulative_desc": "Billets vendus cumulés par jour, du {first} au {last} : "
        "{sold} vendus sur {capacity} places.",
        "days": "{n} jours",
        "days_one": "1 jour",
        "cumulative": "Vendus (cumulés)",
        "capacity": "Capacité {n}",
        "cash": "Espèces",
        "card_terminal": "Terminal de paiement",
        "invoice": "Facture",
        "online": "En ligne",
        "unknown": "Inconnu",
    },
    "en": {
        "none": "No data",
        "none_desc": "There is no data for this period.",
        "day": "Date",
        "gross": "Gross (€)",
        "net": "Net (€)",
        "tickets": "Tickets",
        "daily_desc": "Gross sales per day from {first} to {last}: {total} in all over "
        "{days} with sales; the best day is {top} with {top_amount}.",
        "mix_desc": "Net taken per payment method: {items}.",
        "cumulative_desc": "Tickets sold, added up per day, from {first} to {last}: "
        "{sold} sold of {capacity} places.",
        "days": "{n} days",
        "days_one": "1 day",
        "cumulative": "Sold (added up)",
        "capacity": "Capacity {n}",
        "cash": "Cash",
        "card_terminal": "Card terminal",
        "invoice": "Invoice",
        "online": "Online",
        "unknown": "Unknown",
    },
}


def _words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["nl"])


def euro(cents: int, lang: str = "nl") -> str:
    """An amount as the language writes it: "€ 1.234,50" (nl-BE), "1 234,50 €" (fr-BE),
    "€1,234.50" (en)."""
    whole, part = divmod(abs(int(cents)), 100)
    sign = "-" if cents < 0 else ""
    grouped = f"{whole:,}"
    if lang == "en":
        return f"{sign}€{grouped}.{part:02d}"
    if lang == "fr":
        return f"{sign}{grouped.replace(',', ' ')},{part:02d} €"
    return f"€ {sign}{grouped.replace(',', '.')},{part:02d}"


def _text(value: object) -> str:
    """Text for the drawing: <, >, & and both quotes escaped."""
    return escape(str(value), quote=True)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _long_day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _ticks(low: int, high: int, count: int = 5) -> list[int]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) from below `low` to above `high`."""
    rough = max(high - low, 1) / count
    power = 1
    while power * 10 <= rough:
        power *= 10
    step = next(
        int(m * power) for m in (1, 2, 2.5, 5, 10) if m * power >= rough and m * power % 1 == 0
    )
    ticks = [(low // step) * step]
    while ticks[-1] < high or len(ticks) < 2:
        ticks.append(ticks[-1] + step)
    return ticks


class _Scale:
    """A linear map from values to pixels."""

    def __init__(self, low: float, high: float, start: float, end: float) -> None:
        self.low, self.high, self.start, self.end = low, high, start, end

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.start + self.end) / 2
        return self.start + (value - self.low) * (self.end - self.start) / (self.high - self.low)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(name: str, title: str, desc: str, body: Iterable[str], lang: str, height: int) -> str:
    ident = f"chart-{name}"
    return "".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-labelledby="{ident}-title {ident}-desc" lang="{_text(lang)}" '
            f'class="chart" data-chart="{name}" font-family="{_text(FONT)}" font-size="15" '
            f'fill="{INK}">',
            f'<title id="{ident}-title">{_text(title)}</title>',
            f'<desc id="{ident}-desc">{_text(desc)}</desc>',
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
            *body,
            "</svg>",
        ]
    )


def _empty(name: str, title: str, lang: str) -> str:
    words = _words(lang)
    body = [
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="18" '
        f'class="empty">{_text(words["none"])}</text>'
    ]
    return _svg(name, title, f"{words['none']}. {words['none_desc']}", body, lang, HEIGHT)


def _value_axis(scale: _Scale, ticks: list[int], label: str, lang: str, money: bool) -> list[str]:
    """The vertical axis on the left: grid lines, tick labels and the axis' name."""
    out = []
    for tick in ticks:
        y = _n(scale(tick))
        shown = (
            euro(tick, lang) if money else f"{tick:,}".replace(",", "." if lang != "en" else ",")
        )
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 8}" y="{y}" dy="0.32em" text-anchor="end" fill="{AXIS}">'
            f"{_text(shown)}</text>"
        )
    middle = (TOP + HEIGHT - BOTTOM) / 2
    out.append(
        f'<text x="16" y="{_n(middle)}" transform="rotate(-90 16 {_n(middle)})" '
        f'text-anchor="middle" dy="0.32em" class="axis-label">{_text(label)}</text>'
    )
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{AXIS}"/>')
    return out


def _day_axis(days: list[date], x: _Scale, label: str) -> list[str]:
    """The horizontal axis at the bottom: at most eight day labels, and the axis' name."""
    bottom = HEIGHT - BOTTOM
    out = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="{AXIS}"/>']
    every = max(1, -(-len(days) // 8))
    for i, day in enumerate(days):
        if i % every:
            continue
        out.append(
            f'<text x="{_n(x(i))}" y="{bottom + 18}" text-anchor="middle" fill="{AXIS}">'
            f"{day.strftime('%d/%m')}</text>"
        )
    out.append(
        f'<text x="{_n((LEFT + WIDTH - RIGHT) / 2)}" y="{HEIGHT - 12}" text-anchor="middle" '
        f'class="axis-label">{_text(label)}</text>'
    )
    return out


def daily_totals(report: Report) -> dict[date, int]:
    """Gross per day: rows of the same day (grouped by tariff, clerk...) added up."""
    totals: dict[date, int] = {}
    for row in report.rows:
        day = _day(row["date"])
        totals[day] = totals.get(day, 0) + int(row.get("gross_cents") or 0)  # type: ignore[call-overload]
    return dict(sorted(totals.items()))


def daily_totals_svg(report: Report, lang: str = "nl") -> str:
    """Vertical bars of the gross per day, every day from the first to the last shown."""
    totals = daily_totals(report)
    if not totals:
        return _empty("daily", report.title, lang)
    words = _words(lang)
    first, last = min(totals), max(totals)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    values = [totals.get(day, 0) for day in days]
    ticks = _ticks(min(0, *values), max(0, *values))
    y = _Scale(ticks[0], ticks[-1], HEIGHT - BOTTOM, TOP)
    slot = (WIDTH - RIGHT - LEFT) / len(days)
    x = _Scale(0, max(len(days) - 1, 1), LEFT + slot / 2, WIDTH - RIGHT - slot / 2)
    if len(days) == 1:
        x = _Scale(0, 0, LEFT, WIDTH - RIGHT)
    width = min(max(slot * 0.7, 1), 56)
    body = _value_axis(y, ticks, words["gross"], lang, money=True)
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        if not value:
            continue
        top, base = sorted((y(value), y(0)))
        body.append(
            f'<rect class="bar" data-date="{day.isoformat()}" data-cents="{value}" '
            f'x="{_n(x(i) - width / 2)}" y="{_n(top)}" width="{_n(width)}" '
            f'height="{_n(base - top)}" fill="{BAR}"/>'
        )
    body += _day_axis(days, x, words["day"])
    best = max(totals, key=lambda d: totals[d])
    selling = sum(1 for v in values if v)
    desc = words["daily_desc"].format(
        first=_long_day(first),
        last=_long_day(last),
        total=euro(sum(values), lang),
        days=words["days_one"] if selling == 1 else words["days"].format(n=selling),
        top=_long_day(best),
        top_amount=euro(totals[best], lang),
    )
    return _svg("daily", report.title, desc, body, lang, HEIGHT)


def method_name(method: object, lang: str = "nl") -> str:
    words = _words(lang)
    return words.get(str(method), str(method)) if method else words["unknown"]


def payment_mix_svg(report: Report, lang: str = "nl") -> str:
    """Horizontal bars of the net taken per payment method (bars read more easily than a
    donut, and their length is the amount)."""
    nets: dict[str, int] = {}
    for row in report.rows:
        name = method_name(row.get("payment_method"), lang)
        nets[name] = nets.get(name, 0) + int(row.get("net_cents") or 0)  # type: ignore[call-overload]
    if not nets:
        return _empty("payments", report.title, lang)
    words = _words(lang)
    band = 44
    height = TOP + band * len(nets) + BOTTOM
    ticks = _ticks(min(0, *nets.values()), max(0, *nets.values()), 2)
    x = _Scale(ticks[0], ticks[-1], LEFT + 90, WIDTH - RIGHT - 110)
    bottom = height - BOTTOM
    body = []
    for tick in ticks:
        at = _n(x(tick))
        body.append(
            f'<line x1="{at}" x2="{at}" y1="{TOP}" y2="{bottom}" stroke="{GRID}"/>'
            f'<text x="{at}" y="{bottom + 18}" text-anchor="middle" fill="{AXIS}" font-size="13">'
            f"{_text(euro(tick, lang))}</text>"
        )
    zero = x(0)
    for i, (name, value) in enumerate(nets.items()):
        middle = TOP + band * i + band / 2
        left, right = sorted((x(value), zero))
        body.append(
            f'<text x="{LEFT + 80}" y="{_n(middle)}" dy="0.32em" text-anchor="end">'
            f"{_text(name)}</text>"
            f'<rect class="bar" data-method="{_text(name)}" data-cents="{value}" '
            f'x="{_n(left)}" y="{_n(middle - band * 0.3)}" width="{_n(right - left)}" '
            f'height="{_n(band * 0.6)}" fill="{BAR}"/>'
            f'<text x="{_n(max(x(value), zero) + 6)}" y="{_n(middle)}" dy="0.32em">'
            f"{_text(euro(value, lang))}</text>"
        )
    body.append(
        f'<line x1="{_n(zero)}" x2="{_n(zero)}" y1="{TOP}" y2="{bottom}" stroke="{AXIS}"/>'
        f'<text x="{_n((LEFT + WIDTH - RIGHT) / 2)}" y="{height - 12}" text-anchor="middle" '
        f'class="axis-label">{_text(words["net"])}</text>'
    )
    items = "; ".join(f"{name} {euro(value, lang)}" for name, value in nets.items())
    return _svg("payments", report.title, words["mix_desc"].format(items=items), body, lang, height)


def cumulative_svg(report: Report, lang: str = "nl") -> str:
    """A step line of the tickets sold so far, day by day, under a dashed line at the
    hall's capacity."""
    points: dict[date, int] = {}
    capacity = 0
    for row in report.rows:
        points[_day(row["date"])] = int(row.get("cumulative") or 0)  # type: ignore[call-overload]
        capacity = max(capacity, int(row.get("capacity") or 0))  # type: ignore[call-overload]
    if not points:
        return _empty("cumulative", report.title, lang)
    words = _words(lang)
    days = sorted(points)
    first, last = days[0], days[-1]
    top_value = max(capacity, *points.values())
    ticks = _ticks(0, top_value)
    y = _Scale(0, ticks[-1], HEIGHT - BOTTOM, TOP)
    span = max((last - first).days, 1)
    x = _Scale(0, span, LEFT + 12, WIDTH - RIGHT - 12)
    every_day = [first + timedelta(days=i) for i in range(span + 1)]
    body = _value_axis(y, ticks, words["tickets"], lang, money=False)
    body += _day_axis(every_day, x, words["day"])
    path = [f"M{_n(x(0))},{_n(y(0))}"]
    for day in days:
        path.append(f"H{_n(x((day - first).days))}V{_n(y(points[day]))}")
    path.append(f"H{_n(x(span))}")
    body.append(
        f'<path class="cumulative" d="{"".join(path)}" fill="none" stroke="{BAR}" '
        f'stroke-width="3"/>'
    )
    for day in days:
        body.append(
            f'<circle class="point" data-date="{day.isoformat()}" data-tickets="{points[day]}" '
            f'cx="{_n(x((day - first).days))}" cy="{_n(y(points[day]))}" r="4" fill="{BAR}"/>'
        )
    legend_y = TOP - 20
    body.append(
        f'<line x1="{LEFT}" x2="{LEFT + 28}" y1="{legend_y}" y2="{legend_y}" stroke="{BAR}" '
        f'stroke-width="3"/><text x="{LEFT + 34}" y="{legend_y}" dy="0.32em">'
        f"{_text(words['cumulative'])}</text>"
    )
    if capacity:
        at = _n(y(capacity))
        body.append(
            f'<line class="capacity" data-capacity="{capacity}" x1="{LEFT}" '
            f'x2="{WIDTH - RIGHT}" y1="{at}" y2="{at}" stroke="{CAPACITY}" stroke-width="2" '
            f'stroke-dasharray="8 5"/>'
            f'<line x1="{LEFT + 250}" x2="{LEFT + 278}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="{CAPACITY}" stroke-width="2" stroke-dasharray="8 5"/>'
            f'<text x="{LEFT + 284}" y="{legend_y}" dy="0.32em">'
            f"{_text(words['capacity'].format(n=capacity))}</text>"
        )
    desc = words["cumulative_desc"].format(
        first=_long_day(first),
        last=_long_day(last),
        sold=points[last],
        capacity=capacity,
    )
    return _svg("cumulative", report.title, desc, body, lang, HEIGHT)
