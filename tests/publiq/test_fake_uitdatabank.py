"""Tests of the fake UiTdatabank itself: the copied schemas, the validator, and the fake's
answers over a real socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from publiq.copy_schemas import DEFAULT_SOURCE, readme_text
from publiq.fake_uitdatabank import FakeUitdatabank, serve
from publiq.schema_check import (
    BASE_URI,
    REQUEST_SCHEMAS,
    SCHEMA_DIR,
    iter_refs,
    ref_closure,
    registry,
    schema_files,
    validate,
)

CLIENT_ID = "podium-client"
CLIENT_SECRET = "podium-secret"
ENTRY_OPENAPI = DEFAULT_SOURCE.parent / "openapi" / "entry.json"
# Upstream example that does not match its own schema (an object where an array is due).
BROKEN_UPSTREAM_EXAMPLES = {"event-faqs.json"}


def place_body(name: str = "Zaal De Vlerk", street: str = "Kerkstraat 1") -> dict[str, Any]:
    """A minimal valid place-post.json body."""
    return {
        "mainLanguage": "nl",
        "name": {"nl": name},
        "calendarType": "permanent",
        "address": {
            "nl": {
                "addressCountry": "BE",
                "addressLocality": "Antwerpen",
                "postalCode": "2000",
                "streetAddress": street,
            }
        },
        "terms": [{"id": "Yf4aZBfsUEu2NsQqsprngw", "domain": "eventtype"}],
    }


def event_body(location: str, *dates: tuple[str, str]) -> dict[str, Any]:
    """A minimal valid event-post.json body following publiq's README notes."""
    dates = dates or (("2026-10-03T20:00:00+02:00", "2026-10-03T22:30:00+02:00"),)
    return {
        "mainLanguage": "nl",
        "name": {"nl": "Hamlet"},
        "terms": [{"id": "0.55.0.0.0", "label": "Theatervoorstelling", "domain": "eventtype"}],
        "location": {"@id": location},
        "calendarType": "single" if len(dates) == 1 else "multiple",
        "subEvent": [{"startDate": start, "endDate": end} for start, end in dates],
        "priceInfo": [{"category": "base", "price": 18.5, "priceCurrency": "EUR"}],
        "bookingInfo": {"url": "https://tickets.example.be/hamlet", "urlLabel": {"nl": "Koop"}},
    }


LOCATION = "https://io-test.uitdatabank.be/places/85b04295-479c-40f5-b3dd-469dfb4387b3"


# -- the copied schemas --------------------------------------------------------------------


def test_copied_files_are_exactly_the_ref_closure_of_the_request_schemas() -> None:
    # ref_closure raises FileNotFoundError when a referenced file was not copied.
    needed = ref_closure(REQUEST_SCHEMAS.values(), SCHEMA_DIR)
    assert needed == {path.name for path in schema_files()}


def test_every_ref_resolves_in_the_registry() -> None:
    checked = 0
    for path in schema_files():
        resolver = registry().resolver(base_uri=BASE_URI + path.name)
        for ref in iter_refs(json.loads(path.read_text(encoding="utf-8"))):
            resolved = resolver.lookup(ref)
            assert isinstance(resolved.contents, dict), (path.name, ref)
            checked += 1
    assert checked > 200


def test_examples_embedded_in_the_schemas_are_valid() -> None:
    failing = set()
    for path in schema_files():
        for example in json.loads(path.read_text(encoding="utf-8")).get("examples", []):
            if validate(path.name, example):
                failing.add(path.name)
    assert failing == BROKEN_UPSTREAM_EXAMPLES


def test_copies_are_unmodified_and_readme_is_current() -> None:
    assert (SCHEMA_DIR / "README.md").read_text(encoding="utf-8") == readme_text()
    if not DEFAULT_SOURCE.is_dir():
        pytest.skip(reason=f"{DEFAULT_SOURCE} (publiq's originals) is not beside the checkout")
    for path in schema_files():
        assert path.read_bytes() == (DEFAULT_SOURCE / path.name).read_bytes(), path.name


def test_request_schemas_are_the_ones_entry_json_names() -> None:
    if not ENTRY_OPENAPI.is_file():
        pytest.skip(reason=f"{ENTRY_OPENAPI} (publiq's original, beside the checkout) is not here")
    paths = json.loads(ENTRY_OPENAPI.read_text(encoding="utf-8"))["paths"]
    for operation, schema_file in REQUEST_SCHEMAS.items():
        method, path = operation.split(" ")
        request_body = paths[path][method.lower()]["requestBody"]
        ref = request_body["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"../models/{schema_file}"


def test_validate_reports_json_paths() -> None:
    assert validate("event-post.json", event_body(LOCATION)) == []
    body = event_body(LOCATION)
    body["subEvent"][0]["startDate"] = "2026-10-03 20:00"  # no T, no offset
    del body["bookingInfo"]["urlLabel"]
    errors = validate("event-post.json", body)
    assert "/subEvent/0/startDate: '2026-10-03 20:00' is not a 'date-time'" in errors
    assert "/bookingInfo: 'urlLabel' is a dependency of 'url'" in errors


# -- the fake over HTTP --------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeUitdatabank:
    return FakeUitdatabank(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture
def base_url(fake: FakeUitdatabank) -> Iterator[str]:
    with serve(fake) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client that already holds an access token from the fake's token endpoint."""
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        answer = await http.post(
            "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        yield http


async def create_event(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    answer = await client.post("/events", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_token_flow(fake: FakeUitdatabank, base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        assert (await http.get(f"/events/{'0' * 8}")).status_code == 401
        refused = await http.post(
            "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": "wrong",
            },
        )
        assert refused.status_code == 401
        granted = await http.post(
            "/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            },
        )
        assert granted.status_code == 200
        token = granted.json()
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 3600
        assert len(token["access_token"]) >= 32
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        assert (await http.post("/places", json=place_body(), headers=headers)).status_code == 201

        fake.expire_tokens()
        expired = await http.post("/places", json=place_body("Other"), headers=headers)
        assert expired.status_code == 401
        assert expired.headers["content-type"] == "application/problem+json"
        assert expired.json()["type"] == "https://api.publiq.be/probs/auth/unauthorized"
        assert len(fake.places) == 1
    assert [r.path for r in fake.requests].count("/token") == 2
    assert fake.requests[1].body["client_secret"] == "wrong"


async def test_expires_in_is_configurable_and_honoured() -> None:
    fake = FakeUitdatabank(CLIENT_ID, CLIENT_SECRET, expires_in=0)
    with serve(fake) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.post(
                "/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                },
            )
            assert answer.json()["expires_in"] == 0
            headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
            assert (await http.get("/places/x", headers=headers)).status_code == 401


async def test_post_event_then_read_it_back(
    fake: FakeUitdatabank, client: httpx.AsyncClient, base_url: str
) -> None:
    place = await client.post("/places", json=place_body())
    assert place.status_code == 201
    location = place.json()["url"]
    body = event_body(location)

    created = await client.post("/events", json=body)

    assert created.status_code == 201
    answer = created.json()
    event_id = answer["id"]
    assert answer["eventId"] == event_id
    assert answer["url"] == f"{base_url}/events/{event_id}"
    assert set(answer) == {"id", "eventId", "url", "commandId"}
    assert fake.requests[-1] == ("POST", "/events", body)

    fake.add_label(event_id, "podium")
    event = (await client.get(f"/events/{event_id}")).json()
    assert event["@id"] == f"{base_url}/events/{event_id}"
    assert event["name"] == {"nl": "Hamlet"}
    assert event["location"] == {"@id": location}
    assert event["labels"] == ["podium"]
    assert event["workflowStatus"] == "DRAFT"
    assert event["subEvent"][0]["id"] == 0
    assert event["subEvent"][0]["bookingAvailability"] == {"type": "Available"}
    assert event["startDate"] == "2026-10-03T20:00:00+02:00"
    assert fake.events[event_id] == event


async def test_invalid_event_gets_400_with_schema_errors(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    body = event_body(LOCATION)
    body["priceInfo"].append({"category": "base", "price": 10})
    del body["name"]

    answer = await client.post("/events", json=body)

    assert answer.status_code == 400
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "https://api.publiq.be/probs/body/invalid-data"
    assert problem["title"] == "Invalid body data"
    assert problem["status"] == 400
    errors = {(e["jsonPointer"], e["error"]) for e in problem["schemaErrors"]}
    assert ("/", "'name' is a required property") in errors
    assert any(pointer == "/priceInfo" and "Too many items" in error for pointer, error in errors)
    assert fake.events == {}
    assert fake.requests[-1].body == body


async def test_missing_and_unparsable_bodies(client: httpx.AsyncClient) -> None:
    missing = await client.post("/events")
    assert missing.json()["type"] == "https://api.publiq.be/probs/body/missing"
    broken = await client.post(
        "/events", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["type"] == "https://api.publiq.be/probs/body/invalid-syntax"


async def test_put_event_replaces_it_and_keeps_labels_added_in_uitdatabank(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    unknown = await client.put(f"/events/{'1' * 8}", json=event_body(LOCATION))
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "https://api.publiq.be/probs/url/not-found"
    event_id = await create_event(client, event_body(LOCATION))
    fake.add_label(event_id, "uitpas")
    changed = event_body(LOCATION)
    changed["name"] = {"nl": "Hamlet (herneming)"}
    del changed["bookingInfo"]

    answer = await client.put(f"/events/{event_id}", json=changed)

    assert answer.status_code == 200
    assert answer.json()["id"] == event_id
    event = fake.events[event_id]
    assert event["name"] == {"nl": "Hamlet (herneming)"}
    assert "bookingInfo" not in event
    assert event["labels"] == ["uitpas"]
    invalid = await client.put(f"/events/{event_id}", json={"name": {"nl": "x"}})
    assert invalid.status_code == 400


async def test_patch_sub_events_changes_one_sub_event(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    event_id = await create_event(
        client,
        event_body(
            LOCATION,
            ("2026-10-04T20:00:00+02:00", "2026-10-04T22:00:00+02:00"),
            ("2026-10-03T20:00:00+02:00", "2026-10-03T22:00:00+02:00"),
        ),
    )
    sub_events = fake.events[event_id]["subEvent"]
    assert [s["startDate"][:10] for s in sub_events] == ["2026-10-03", "2026-10-04"]

    answer = await client.patch(
        f"/events/{event_id}/sub-events",
        json=[{"id": 1, "bookingAvailability": {"capacity": 100, "remainingCapacity": 0}}],
    )

    assert answer.status_code == 204
    first, second = fake.events[event_id]["subEvent"]
    assert first["bookingAvailability"] == {"type": "Available"}
    assert second["bookingAvailability"] == {
        "type": "Unavailable",
        "capacity": 100,
        "remainingCapacity": 0,
    }
    out_of_range = await client.patch(
        f"/events/{event_id}/sub-events", json=[{"id": 2, "status": {"type": "Unavailable"}}]
    )
    assert out_of_range.status_code == 400
    assert out_of_range.json()["schemaErrors"][0]["jsonPointer"] == "/0/id"
    both = await client.patch(
        f"/events/{event_id}/sub-events",
        json=[{"id": 0, "bookingAvailability": {"type": "Available", "remainingCapacity": 3}}],
    )
    assert both.status_code == 400

    moved = await client.patch(
        f"/events/{event_id}/sub-events",
        json=[{"id": 0, "startDate": "2026-10-05T20:00:00+02:00"}],
    )
    assert moved.status_code == 204
    reordered = fake.events[event_id]["subEvent"]
    assert [(s["id"], s["startDate"][:10]) for s in reordered] == [
        (0, "2026-10-04"),
        (1, "2026-10-05"),
    ]
    assert reordered[0]["bookingAvailability"]["remainingCapacity"] == 0


async def test_booking_availability_and_workflow_status(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    event_id = await create_event(client, event_body(LOCATION))
    answer = await client.put(
        f"/events/{event_id}/booking-availability", json={"type": "Unavailable"}
    )
    assert answer.status_code == 204
    event = fake.events[event_id]
    assert event["bookingAvailability"] == {"type": "Unavailable"}
    assert event["subEvent"][0]["bookingAvailability"]["type"] == "Unavailable"
    bad = await client.put(f"/events/{event_id}/booking-availability", json={"type": "Sold"})
    assert bad.json()["schemaErrors"][0]["jsonPointer"] == "/type"

    published = await client.put(
        f"/events/{event_id}/workflow-status", json={"workflowStatus": "READY_FOR_VALIDATION"}
    )
    assert published.status_code == 204
    assert fake.events[event_id]["workflowStatus"] == "READY_FOR_VALIDATION"
    rejected = await client.put(
        f"/events/{event_id}/workflow-status", json={"workflowStatus": "REJECTED"}
    )
    assert rejected.status_code == 400
    assert rejected.json()["schemaErrors"] == [
        {"jsonPointer": "/", "error": "'reason' is a required property"}
    ]


async def test_fail_next_answers_the_status_without_doing_the_work(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    fake.fail_next(429, path_prefix="/events", retry_after=2)
    fake.fail_next(500, times=2, path_prefix="/events")

    throttled = await client.post("/events", json=event_body(LOCATION))
    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "2"
    assert throttled.headers["content-type"] == "application/problem+json"
    assert throttled.json()["title"] == "Too Many Requests"
    assert (await client.post("/places", json=place_body())).status_code == 201
    for _ in range(2):
        assert (await client.post("/events", json=event_body(LOCATION))).status_code == 500
    assert fake.events == {}
    assert (await client.post("/events", json=event_body(LOCATION))).status_code == 201
    assert len(fake.calls("POST", "/events")) == 4


async def test_delay_next_provokes_a_client_timeout_but_the_work_is_done(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    fake.delay_next(0.5)
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/events", json=event_body(LOCATION), timeout=0.1)
    for _ in range(100):
        if fake.events:
            break
        await asyncio.sleep(0.02)
    assert len(fake.events) == 1
    assert (await client.post("/events", json=event_body(LOCATION))).status_code == 201


async def test_duplicate_place_gets_409_with_the_existing_place(
    fake: FakeUitdatabank, client: httpx.AsyncClient, base_url: str
) -> None:
    created = await client.post("/places", json=place_body())
    assert created.status_code == 201
    assert set(created.json()) == {"id", "placeId", "url", "commandId"}
    existing_id = created.json()["id"]
    same = place_body(name="  zaal de VLERK ")

    duplicate = await client.post("/places", json=same)

    assert duplicate.status_code == 409
    problem = duplicate.json()
    assert problem == {
        "type": "https://api.publiq.be/probs/uitdatabank/duplicate-place",
        "title": "Duplicate place",
        "status": 409,
        "detail": "A place with this address / name combination already exists. "
        "Please use the existing place for your purposes.",
        "duplicatePlaceUri": f"{base_url}/place/{existing_id}",
    }
    existing = await client.get(problem["duplicatePlaceUri"])
    assert existing.json()["@id"] == f"{base_url}/places/{existing_id}"
    assert len(fake.places) == 1
    elsewhere = await client.post("/places", json=place_body(street="Kerkstraat 2"))
    assert elsewhere.status_code == 201


async def test_seeded_place_counts_as_existing(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    place_id = fake.add_place(place_body(), place_id="6b8c0a6e-0b5b-4cdb-9d45-06b4e3a1f6a1")
    duplicate = await client.post("/places", json=place_body())
    assert duplicate.json()["duplicatePlaceUri"].endswith(place_id)
    with pytest.raises(ValueError, match="invalid place"):
        fake.add_place({"name": {"nl": "x"}})


async def test_several_duplicate_places_get_409_with_a_query(
    fake: FakeUitdatabank, client: httpx.AsyncClient
) -> None:
    first = fake.add_place(place_body())
    second = fake.add_place(place_body(name="ZAAL DE VLERK"))

    duplicate = await client.post("/places", json=place_body())

    assert duplicate.status_code == 409
    problem = duplicate.json()
    assert "duplicatePlaceUri" not in problem
    assert problem["type"] == "https://api.publiq.be/probs/uitdatabank/duplicate-place"
    assert problem["query"].startswith("https://search-test.uitdatabank.be/places/?q=")
    assert first not in problem["query"]
    assert second not in problem["query"]
    assert len(fake.places) == 2


async def test_tariffs_named_alike_are_refused(client: httpx.AsyncClient) -> None:
    body = event_body(LOCATION)
    body["priceInfo"] = [
        {"category": "base", "price": 10, "priceCurrency": "EUR", "name": {"nl": "Basis"}},
        {"category": "tariff", "price": 8, "priceCurrency": "EUR", "name": {"nl": "Basis"}},
    ]
    refused = await client.post("/events", json=body)
    assert refused.status_code == 400
    (error,) = refused.json()["schemaErrors"]
    assert error["jsonPointer"] == "/priceInfo/1/name/nl"
    body["priceInfo"][1]["name"] = {"nl": "Reductie"}
    assert (await client.post("/events", json=body)).status_code == 201


def test_serve_stops_the_server(fake: FakeUitdatabank) -> None:
    with serve(fake) as url:
        assert httpx.get(f"{url}/places/x").status_code == 401
    assert fake.base_url is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/places/x")
