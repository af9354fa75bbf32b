"""From our event and its performances at one location to a UiTdatabank event (Entry API
v3), and the availability of its sub-events. Pure: the sync gathers the facts.

One UiTdatabank event has one location (a place). An event of ours with performances in
several venues becomes one UiTdatabank event per venue; halls of one venue share its
place.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ticketing.events.pricing import tariff_price
from ticketing.events.taxonomy import EVENT_TYPES

LANGUAGES = ("nl", "fr", "de", "en")  # the languages UiTdatabank takes
URL_LABEL = {"nl": "Koop tickets", "fr": "Achetez des tickets", "en": "Buy tickets"}
BASE_NAME = {"nl": "Basistarief", "fr": "Tarif de base", "en": "Base tariff"}


@dataclass(frozen=True)
class Showing:
    """One performance, as a sub-event."""

    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    capacity: int
    remaining: int


@dataclass(frozen=True)
class TariffFact:
    code: str
    name: dict[str, str]
    kind: str
    rule: str
    value: int
    staff_only: bool


@dataclass(frozen=True)
class EventFacts:
    title: dict[str, str]
    description: dict[str, str]
    event_type_id: str
    age_min: int | None
    age_max: int | None
    place_id: str
    organizer_id: str | None
    house_phone: str | None
    house_email: str | None
    shop_url: str
    base_cents: int  # the lowest price of a seat or place: "from"
    tariffs: tuple[TariffFact, ...]
    showings: tuple[Showing, ...]  # in the order of the sub-events (by start)


def _localized(values: dict[str, str]) -> dict[str, str]:
    return {lang: text for lang, text in values.items() if lang in LANGUAGES and text}


def _euros(cents: int) -> float:
    """UiTdatabank takes prices as a JSON number of euros: converted here, at the border,
    from the cents everything else counts in."""
    return round(cents / 100, 2)


def price_info(facts: EventFacts) -> list[dict[str, Any]]:
    """Exactly one `base` entry, then the public tariffs. UiTPAS tariffs are left out
    (UiTdatabank adds those itself), and so are tariffs only staff may sell."""
    prices: list[dict[str, Any]] = [
        {
            "category": "base",
            "name": BASE_NAME,
            "price": _euros(facts.base_cents),
            "priceCurrency": "EUR",
        }
    ]
    for tariff in facts.tariffs:
        if not is_sent(tariff):
            continue
        cents = tariff_price(facts.base_cents, tariff.rule, tariff.value)
        if cents is None:
            continue
        prices.append(
            {
                "category": "tariff",
                "name": tariff_name(tariff),
                "price": _euros(cents),
                "priceCurrency": "EUR",
            }
        )
    return prices


def is_sent(tariff: TariffFact) -> bool:
    """Whether a tariff goes to UiTdatabank: public ones only; UiTPAS tariffs are added by
    UiTdatabank itself, the base tariff is the `base` entry."""
    return tariff.kind not in ("base", "uitpas", "complimentary") and not tariff.staff_only


def tariff_name(tariff: TariffFact) -> dict[str, str]:
    return _localized(tariff.name) or {"nl": tariff.code}


def booking_availability(showing: Showing) -> dict[str, Any]:
    remaining = 0 if showing.cancelled else max(0, showing.remaining)
    return {
        "type": "Available" if remaining > 0 else "Unavailable",
        "capacity": showing.capacity,
        "remainingCapacity": remaining,
    }


def sub_event(index: int, showing: Showing) -> dict[str, Any]:
    return {
        "id": index,
        "startDate": showing.starts_at.isoformat(),
        "endDate": showing.ends_at.isoformat(),
        "status": {"type": "Unavailable" if showing.cancelled else "Available"},
        "bookingAvailability": booking_availability(showing),
    }


def age_range(age_min: int | None, age_max: int | None) -> str | None:
    if age_min is None and age_max is None:
        return None
    return f"{age_min if age_min is not None else ''}-{age_max if age_max is not None else ''}"


def event_body(facts: EventFacts, *, api_base: str) -> dict[str, Any]:
    """The full event, for `POST /events` (with a workflow status) or `PUT /events/{id}`."""
    base = api_base.rstrip("/")
    labels = EVENT_TYPES.get(facts.event_type_id, {})
    body: dict[str, Any] = {
        "mainLanguage": "nl",
        "name": _localized(facts.title),
        "terms": [
            {"id": facts.event_type_id, "label": labels.get("nl", ""), "domain": "eventtype"}
        ],
        "location": {"@id": f"{base}/places/{facts.place_id}"},
        "calendarType": "single" if len(facts.showings) == 1 else "multiple",
        "subEvent": [sub_event(i, s) for i, s in enumerate(facts.showings)],
        "priceInfo": price_info(facts),
        "bookingInfo": _booking_info(facts),
        "audience": {"audienceType": "everyone"},
    }
    description = _localized(facts.description)
    if description:
        body["description"] = description
    if facts.organizer_id:
        body["organizer"] = {"@id": f"{base}/organizers/{facts.organizer_id}"}
    ages = age_range(facts.age_min, facts.age_max)
    if ages is not None:
        body["typicalAgeRange"] = ages
    return body


def _booking_info(facts: EventFacts) -> dict[str, Any]:
    info: dict[str, Any] = {"url": facts.shop_url, "urlLabel": URL_LABEL}
    if facts.house_phone:
        info["phone"] = facts.house_phone
    if facts.house_email:
        info["email"] = facts.house_email
    return info


# What Podium writes as a sub-event's status: any other status there was set by an editor
# in UiTdatabank (postponed, or cancelled with a reason) and is theirs to change.
OUR_STATUSES = ({"type": "Available"}, {"type": "Unavailable"})


def keep_editor_status(
    sub_events: list[dict[str, Any]],
    current: Any,
    showings: tuple[Showing, ...],
    order: list[str],
) -> list[dict[str, Any]]:
    """Our sub-events for a `PUT`, each performance that is not cancelled here keeping the
    status an editor gave it in UiTdatabank. `current`: the sub-events UiTdatabank holds,
    whose performances are `order` (their ids, by index)."""
    if not isinstance(current, list):
        return sub_events
    kept = []
    for ours, showing in zip(sub_events, showings, strict=True):
        index = order.index(str(showing.id)) if str(showing.id) in order else None
        theirs = current[index] if index is not None and index < len(current) else None
        status = theirs.get("status") if isinstance(theirs, dict) else None
        if not showing.cancelled and isinstance(status, dict) and status not in OUR_STATUSES:
            ours = {**ours, "status": status}
        kept.append(ours)
    return kept


def order_by_start(current: Any, showings: tuple[Showing, ...]) -> list[str]:
    """The performances of the sub-events UiTdatabank holds (by index), for an event whose
    order we do not know (one staff linked): a sub-event is a performance when it starts
    at the same moment and no other performance or sub-event does. Any other is "" (no
    performance): its status is not carried over."""
    if not isinstance(current, list):
        return []
    starts = [_start(theirs) for theirs in current]
    order = []
    for start in starts:
        matching = [s for s in showings if start is not None and s.starts_at == start]
        unique = len(matching) == 1 and starts.count(start) == 1
        order.append(str(matching[0].id) if unique else "")
    return order


def _start(sub_event: Any) -> datetime | None:
    value = sub_event.get("startDate") if isinstance(sub_event, dict) else None
    if not isinstance(value, str):
        return None
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start if start.tzinfo is not None else None  # a moment only with its offset


def availability_patch(
    showings: tuple[Showing, ...], indexes: dict[uuid.UUID, int]
) -> list[dict[str, Any]]:
    """`PATCH /events/{id}/sub-events`: each performance's availability, at the index it
    has in the event UiTdatabank holds. Only `bookingAvailability`: the patch leaves what
    it omits alone, so a status an editor set in UiTdatabank (postponed, say) stays; a
    cancellation goes with the full sync. The patch takes the type or the remaining
    capacity, not both: UiTdatabank derives the type (0 is Unavailable)."""
    return [
        {
            "id": indexes[s.id],
            "bookingAvailability": {
                k: v for k, v in booking_availability(s).items() if k != "type"
            },
        }
        for s in showings
        if s.id in indexes
    ]
