"""Belgian VAT on a gross (VAT-inclusive) amount: the VAT of one line is rounded half up
to the cent; totals are sums of lines, never recomputed from a total."""

from __future__ import annotations

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
