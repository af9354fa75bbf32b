"""Belgian VAT on a gross (VAT-inclusive) amount: the VAT of one line is rounded half up
to the cent; totals are sums of lines, never recomputed from a total."""

from __future__ import annotations

from collections.abc import Iterable

# Admission to cultural events (KB nr. 20, table A, heading XXVIII), in basis points.
ADMISSION_BP = 600
# Services such as a booking fee, when not ancillary to the admission.
STANDARD_BP = 2100


def vat_of(gross_cents: int, rate_bp: int) -> int:
    """The VAT included in gross_cents at rate_bp (600 = 6 %), half up to the cent; a
    negative gross (a refund) gives exactly the negative of its positive twin."""
    if rate_bp <= 0 or gross_cents == 0:
        return 0
    magnitude = abs(gross_cents)
    numerator = magnitude * rate_bp
    denominator = 10000 + rate_bp
    # Half up: floor(x + 1/2) = floor((2n + d) / 2d).
    vat = (2 * numerator + denominator) // (2 * denominator)
    return vat if gross_cents > 0 else -vat


def split(gross_cents: int, rate_bp: int) -> tuple[int, int]:
    """(vat, net) of a gross amount; net + vat == gross."""
    vat = vat_of(gross_cents, rate_bp)
    return vat, gross_cents - vat


def summary(lines: Iterable[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """Lines of (gross, rate) summed per rate, each line's VAT rounded on its own:
    (rate, gross, vat) per rate, the highest rate first."""
    totals: dict[int, list[int]] = {}
    for gross, rate in lines:
        total = totals.setdefault(rate, [0, 0])
        total[0] += gross
        total[1] += vat_of(gross, rate)
    return [(rate, gross, vat) for rate, (gross, vat) in sorted(totals.items(), reverse=True)]


def percent(rate_bp: int, decimal_comma: bool = True) -> str:
    """600 -> "6", 550 -> "5,5" (or "5.5")."""
    whole, rest = divmod(rate_bp, 100)
    if not rest:
        return str(whole)
    text = f"{whole}.{rest:02d}".rstrip("0")
    return text.replace(".", ",") if decimal_comma else text
