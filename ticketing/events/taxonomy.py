"""UiTdatabank event types (the `eventtype` domain of its taxonomy) used as genres.

Ids and Dutch labels as published by publiq for UiTdatabank v3 (taxonomy API, domain
eventtype); French and English labels are ours. Only the types a culture house sells
tickets for are listed.
"""

from __future__ import annotations

from typing import Final

EVENT_TYPES: Final[dict[str, dict[str, str]]] = {
    "0.55.0.0.0": {"nl": "Theatervoorstelling", "fr": "Théâtre", "en": "Theatre"},
    "0.50.4.0.0": {"nl": "Concert", "fr": "Concert", "en": "Concert"},
    "0.54.0.0.0": {"nl": "Dansvoorstelling", "fr": "Danse", "en": "Dance"},
    "0.50.6.0.0": {"nl": "Film", "fr": "Film", "en": "Film"},
    "0.3.2.0.0": {"nl": "Lezing of congres", "fr": "Conférence", "en": "Talk or conference"},
    "0.5.0.0.0": {"nl": "Festival", "fr": "Festival", "en": "Festival"},
    "0.3.1.0.0": {"nl": "Cursus of workshop", "fr": "Cours ou atelier", "en": "Course or workshop"},
    "0.49.0.0.0": {"nl": "Party of fuif", "fr": "Fête", "en": "Party"},
    "0.0.0.0.0": {"nl": "Tentoonstelling", "fr": "Exposition", "en": "Exhibition"},
    "0.7.0.0.0": {"nl": "Begeleide rondleiding", "fr": "Visite guidée", "en": "Guided tour"},
    "0.50.21.0.0": {"nl": "Spel of quiz", "fr": "Jeu ou quiz", "en": "Game or quiz"},
}
