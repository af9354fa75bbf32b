"""Tickets on paper: the A4 print-at-home PDF (one ticket per page) and the 80 mm
thermal-printer layout of the box office, in the order's language (nl, fr, en).

Times are printed in Europe/Brussels. The QR code is drawn as a 1-bit image, one pixel
per module, which the PDF scales without smoothing; it carries the signed text of
`payload`. Error correction level M (15% of the code may be lost) with a quiet zone of
four modules reads from phone screens and from paper printed at home.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ticketing.money.vat import percent, summary, vat_of

BRUSSELS = ZoneInfo("Europe/Brussels")
FONTS = Path(__file__).parent / "fonts"
QUIET_ZONE = 4
A4 = (210 * mm, 297 * mm)
THERMAL_WIDTH = 80 * mm
THERMAL_HEIGHT = 160 * mm


@dataclass(frozen=True)
class TicketView:
    qr: str
    title: str
    starts_at: datetime
    venue: str
    hall: str
    seat_key: str | None
    area_code: str | None
    tariff: str
    price_cents: int
    requires_check: bool
    vat_rate_bp: int = 0


@dataclass(frozen=True)
class OrderView:
    code: str
    customer_name: str
    customer_email: str | None
    language: str
    house_name: str
    logo: bytes | None
    tickets: Sequence[TicketView]
    fees_cents: int = 0
    fees_vat_rate_bp: int = 0


@dataclass(frozen=True)
class Words:
    days: tuple[str, ...]
    months: tuple[str, ...]
    at: str
    row: str
    standing: str
    order: str
    check: str
    door: str
    ticket: str
    vat: str
    exempt: str
    total: str
    fees: str


WORDS = {
    "nl": Words(
        days=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        months=(
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
            "",
        ),
        at="om",
        row="Rij {row}, stoel {seat}",
        standing="Staanplaats",
        order="Bestelling",
        check="Toon aan de ingang het bewijs voor dit tarief.",
        door="Toon deze code aan de ingang. Elke code geeft één keer toegang.",
        ticket="Ticket {n} van {total}",
        vat="incl. {rate} % btw {amount}",
        exempt="vrijgesteld van btw",
        total="Totaal {gross}, waarvan {rate} % btw {amount}",
        fees="Servicekosten",
    ),
    "fr": Words(
        days=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        months=(
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
            "",
        ),
        at="à",
        row="Rang {row}, siège {seat}",
        standing="Place debout",
        order="Commande",
        check="Présentez à l'entrée le justificatif de ce tarif.",
        door="Présentez ce code à l'entrée. Chaque code donne accès une seule fois.",
        ticket="Billet {n} sur {total}",
        vat="dont TVA {rate} % {amount}",
        exempt="exonéré de TVA",
        total="Total {gross}, dont TVA {rate} % {amount}",
        fees="Frais de service",
    ),
    "en": Words(
        days=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
            "",
        ),
        at="at",
        row="Row {row}, seat {seat}",
        standing="Standing",
        order="Order",
        check="Show proof of this tariff at the door.",
        door="Show this code at the door. Each code admits once.",
        ticket="Ticket {n} of {total}",
        vat="incl. {rate}% VAT {amount}",
        exempt="exempt from VAT",
        total="Total {gross}, of which {rate}% VAT {amount}",
        fees="Service fee",
    ),
}


def _words(language: str) -> Words:
    return WORDS.get(language, WORDS["nl"])


def when(at: datetime, language: str) -> str:
    local = at.astimezone(BRUSSELS)
    words = _words(language)
    day, month = words.days[local.weekday()], words.months[local.month - 1]
    return f"{day} {local.day} {month} {local.year} {words.at} {local:%H:%M}"


def place(ticket: TicketView, language: str) -> str:
    words = _words(language)
    if ticket.seat_key:
        section, row, seat = ticket.seat_key.split("/", 2)
        return f"{words.row.format(row=row, seat=seat)} · {section}"
    return f"{words.standing} · {ticket.area_code or ''}"


def price(cents: int, language: str) -> str:
    units, rest = divmod(cents, 100)
    if language == "en":
        return f"€{units:,}.{rest:02d}"
    return f"€ {units:,}".replace(",", ".") + f",{rest:02d}"


def vat_line(gross_cents: int, rate_bp: int, language: str) -> str:
    """The VAT a price includes, as printed under it: "incl. 6 % btw € 1,13"."""
    words = _words(language)
    if rate_bp <= 0:
        return words.exempt
    return words.vat.format(
        rate=percent(rate_bp, language != "en"),
        amount=price(vat_of(gross_cents, rate_bp), language),
    )


def receipt(order: OrderView) -> list[str]:
    """The order's VAT per rate (prices VAT included, each line rounded on its own), as
    the receipt in the mail says it."""
    words = _words(order.language)
    lines = [(t.price_cents, t.vat_rate_bp) for t in order.tickets]
    if lines and order.fees_cents:
        lines.append((order.fees_cents, order.fees_vat_rate_bp))
    out = []
    for rate, gross, vat in summary(lines):
        if rate <= 0:
            out.append(f"{price(gross, order.language)}, {words.exempt}")
            continue
        out.append(
            words.total.format(
                gross=price(gross, order.language),
                rate=percent(rate, order.language != "en"),
                amount=price(vat, order.language),
            )
        )
    return out


@cache
def _characters() -> frozenset[int]:
    font = TTFont("probe", str(FONTS / "DejaVuSans.ttf"))
    return frozenset(font.face.charToGlyph)


def printable(value: str) -> str:
    """The text with what the embedded font lacks spelled without accents where possible,
    otherwise as '?'."""
    known = _characters()
    if all(ord(c) in known for c in value):
        return value
    out = []
    for c in value:
        if ord(c) in known:
            out.append(c)
            continue
        plain = unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode()
        out.append(plain if plain else "?")
    return "".join(out)


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont("Podium", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("Podium-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))


_BLACK_ON_WHITE = bytes([255, 0]) + bytes(254)
_versions: dict[int, int] = {}


def qr_image(text: str) -> Image.Image:
    """The QR code as a black and white image, one pixel per module, quiet zone included."""
    # A fixed mask pattern: choosing the best of eight costs five times the rest of the
    # code, and the signed payload is random-looking enough to read well with any of them.
    version = _versions.get(len(text))
    code = qrcode.QRCode(
        version=version, error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, mask_pattern=4
    )
    code.add_data(text, optimize=0)
    # The smallest version that holds the text depends only on its length (one
    # alphanumeric segment): found once per length, not for every code.
    code.make(fit=version is None)
    _versions[len(text)] = code.version
    matrix = code.get_matrix()
    size = len(matrix)
    # Dark modules (True, 1) black, light ones white: one byte a pixel, grey scale.
    pixels = b"".join(bytes(row) for row in matrix).translate(_BLACK_ON_WHITE)
    return Image.frombytes("L", (size, size), pixels)


def qr_png(text: str, scale: int = 8) -> bytes:
    image = qr_image(text)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _logo(data: bytes | None) -> ImageReader | None:
    if not data:
        return None
    return ImageReader(io.BytesIO(data))


def a4(order: OrderView) -> bytes:
    """Print-at-home: one ticket per A4 page."""
    _fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    pdf.setTitle(f"{order.house_name} {order.code}")
    words = _words(order.language)
    logo = _logo(order.logo)
    total = len(order.tickets)
    left, top = 20 * mm, A4[1] - 20 * mm
    for n, ticket in enumerate(order.tickets, 1):
        if logo is not None:
            pdf.drawImage(logo, left, top - 18 * mm, 40 * mm, 18 * mm, preserveAspectRatio=True)
        pdf.setFont("Podium-Bold", 12)
        pdf.drawRightString(A4[0] - left, top - 6 * mm, printable(order.house_name))
        pdf.setFont("Podium", 9)
        pdf.drawRightString(A4[0] - left, top - 12 * mm, words.ticket.format(n=n, total=total))
        y = top - 34 * mm
        pdf.setFont("Podium-Bold", 22)
        pdf.drawString(left, y, printable(ticket.title))
        pdf.setFont("Podium", 13)
        lines = [
            when(ticket.starts_at, order.language),
            printable(f"{ticket.venue} · {ticket.hall}"),
            place(ticket, order.language),
            printable(f"{ticket.tariff} · {price(ticket.price_cents, order.language)}"),
            vat_line(ticket.price_cents, ticket.vat_rate_bp, order.language),
            printable(f"{words.order} {order.code} · {order.customer_name}"),
        ]
        for line in lines:
            y -= 8 * mm
            pdf.drawString(left, y, line)
        if ticket.requires_check:
            y -= 9 * mm
            pdf.setFont("Podium-Bold", 11)
            pdf.drawString(left, y, words.check)
        side = 80 * mm
        pdf.drawImage(ImageReader(qr_image(ticket.qr)), (A4[0] - side) / 2, y - 16 * mm - side,
                      side, side)  # fmt: skip
        pdf.setFont("Podium", 10)
        pdf.drawCentredString(A4[0] / 2, y - 24 * mm - side, words.door)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def thermal(order: OrderView) -> bytes:
    """The box office's ticket printer: 80 mm wide paper, one ticket per cut."""
    _fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(THERMAL_WIDTH, THERMAL_HEIGHT), pageCompression=1,
                        invariant=1)  # fmt: skip
    words = _words(order.language)
    margin = 4 * mm
    for ticket in order.tickets:
        y = THERMAL_HEIGHT - 8 * mm
        pdf.setFont("Podium-Bold", 9)
        pdf.drawString(margin, y, printable(order.house_name))
        y -= 7 * mm
        pdf.setFont("Podium-Bold", 13)
        pdf.drawString(margin, y, printable(ticket.title)[:34])
        pdf.setFont("Podium", 9)
        for line in (
            when(ticket.starts_at, order.language),
            printable(f"{ticket.venue} · {ticket.hall}")[:48],
            place(ticket, order.language),
            printable(f"{ticket.tariff} · {price(ticket.price_cents, order.language)}"),
            vat_line(ticket.price_cents, ticket.vat_rate_bp, order.language),
            f"{words.order} {order.code}",
        ):
            y -= 5 * mm
            pdf.drawString(margin, y, line)
        side = 56 * mm
        pdf.drawImage(ImageReader(qr_image(ticket.qr)), (THERMAL_WIDTH - side) / 2,
                      y - 4 * mm - side, side, side)  # fmt: skip
        if ticket.requires_check:
            pdf.setFont("Podium-Bold", 8)
            pdf.drawCentredString(THERMAL_WIDTH / 2, y - 9 * mm - side, words.check[:52])
        pdf.showPage()
    pdf.save()
    return out.getvalue()
