"""The limits UiTdatabank puts on the texts Podium sends, checked before anything is sent.

publiq's JSON Schemas (udb3-json-schemas `common-name-localized.json`, used by
`event-name.json` and by the `name` of every `priceInfo` entry) take names of 1 to 90
characters with at least one that is not a space, and `common-priceInfo.json` asks the
names of the tariffs to differ per language. Our own titles and tariff names may be
longer (a house's shop shows them whole), so a longer one is not shortened behind the
house's back: it is refused with the field named when the house publishes the event, or
changes a published one, so the house picks the short name UiTinVlaanderen will show.
The same goes for the name of a venue Podium would create a place for (`place-name.json`,
90 characters). The sync checks again before it sends (a limit met at publishing can be broken later
through a path that does not check) and marks the location failed, with these messages,
instead of sending a body UiTdatabank would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable

from ticketing.core.errors import FieldError
from ticketing.uitdatabank.mapping import BASE_NAME, LANGUAGES, TariffFact, is_sent, tariff_name

NAME_MAX = 90  # common-name-localized.json, event-name.json: maxLength

LANGUAGE_NAMES = {"nl": "Dutch", "fr": "French", "de": "German", "en": "English"}


def _too_long(text: str, what: str, language: str) -> str | None:
    if len(text) <= NAME_MAX:
        return None
    return (
        f"UiTdatabank takes a {what} of at most {NAME_MAX} characters; the "
        f"{LANGUAGE_NAMES.get(language, language)} one has {len(text)}. Shorten it to publish "
        "the event in UiTdatabank."
    )


def place_name_problem(venue_name: str) -> str | None:
    """What UiTdatabank would refuse of the place Podium creates for a venue
    (`place-name.json`: at most 90 characters)."""
    if len(venue_name) <= NAME_MAX:
        return None
    return (
        f"UiTdatabank takes a place name of at most {NAME_MAX} characters; venue "
        f"'{venue_name[:40]}...' has {len(venue_name)}. Link the venue to its UiTdatabank "
        "place (its uitdatabank_place_id), or shorten its name."
    )


def problems(
    title: dict[str, str], tariffs: Iterable[TariffFact], *, tariff_code: str | None = None
) -> list[FieldError]:
    """What UiTdatabank would refuse in the event's title and its public tariffs' names.
    The fields are `title.<language>` and `tariffs[<code>].name.<language>`, or
    `name.<language>` for the tariff `tariff_code` (the one a request changes)."""
    errors: list[FieldError] = []
    for language, text in title.items():
        if language not in LANGUAGES or not text:
            continue
        if not text.strip():
            errors.append(FieldError(f"title.{language}", "A title cannot be only spaces."))
        elif (message := _too_long(text, "title", language)) is not None:
            errors.append(FieldError(f"title.{language}", message))
    if not title.get("nl"):
        errors.append(
            FieldError("title.nl", "UiTdatabank needs a Dutch title (its main language).")
        )
    taken: dict[str, dict[str, str]] = {
        language: {name: "the base tariff"} for language, name in BASE_NAME.items()
    }
    for tariff in tariffs:
        if not is_sent(tariff):
            continue
        prefix = "name" if tariff.code == tariff_code else f"tariffs[{tariff.code}].name"
        for language, name in tariff_name(tariff).items():
            field = f"{prefix}.{language}"
            if not name.strip():
                errors.append(FieldError(field, "A tariff's name cannot be only spaces."))
                continue
            message = _too_long(name, "tariff name", language)
            if message is not None:
                errors.append(FieldError(field, message))
                continue
            other = taken.setdefault(language, {}).get(name)
            if other is not None:
                errors.append(
                    FieldError(
                        field,
                        f"UiTdatabank needs different names for the tariffs: {other} is also "
                        f"called '{name}'.",
                    )
                )
            taken[language][name] = f"tariff {tariff.code}"
    return errors
