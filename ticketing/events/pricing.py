"""Tariff prices: pure functions on integer cents."""

from __future__ import annotations

from ticketing.events.models import PriceRule


def tariff_price(zone_cents: int, rule: str, value: int) -> int | None:
    """The price of a ticket at a tariff in a zone; None when UiTPAS sets it at sale time."""
    match PriceRule(rule):
        case PriceRule.PERCENT_OFF:
            # Round half up to the cent, as a clerk would.
            return max(0, zone_cents - (zone_cents * value + 50) // 100)
        case PriceRule.AMOUNT_OFF:
            return max(0, zone_cents - value)
        case PriceRule.FIXED:
            return value
        case PriceRule.FREE:
            return 0
        case PriceRule.UITPAS:
            return None
