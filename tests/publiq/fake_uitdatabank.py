"""A fake UiTdatabank Entry API v3 for tests: a plain ASGI app that checks every request body
against publiq's JSON Schemas (``schema_check``) and answers like the real API
(``openapi/entry.json``, problem+json errors as in udb3's ``ApiProblem``).

Use it over a real socket::

    fake = FakeUitdatabank(client_id="id", client_secret="secret")
    with serve(fake) as base_url:          # uvicorn on 127.0.0.1, free port, own thread
        ...                                # POST {base_url}/token, then the Entry API

What it serves (ids may also be addressed as ``/event/{id}``, ``/place/{id}``):

- ``POST /token`` (also ``/oauth/token``): OAuth2 client credentials (form or JSON body, or
  HTTP Basic client authentication) -> ``{"access_token", "token_type": "Bearer", "expires_in"}``.
- ``POST /events``, ``GET|PUT /events/{id}``, ``PATCH /events/{id}/sub-events``,
  ``PUT /events/{id}/booking-availability``, ``PUT /events/{id}/workflow-status``,
  ``POST /places``, ``GET /places/{id}``; all of them require ``Authorization: Bearer``.

Stored documents look like the real JSON-LD where it matters to a client: ``@id``
(``{base_url}/events/{id}``), ``workflowStatus`` (``DRAFT`` unless sent), default ``status`` and
``bookingAvailability``, sub-events sorted chronologically and numbered (``id`` = index), and
top-level ``startDate``/``endDate`` taken from the sub-events. The 409 of a duplicate place
carries ``duplicatePlaceUri`` in the singular form of entry.json's example
(``{base_url}/place/{id}``), so a client must accept both ``/place/`` and ``/places/``; when
several places match, it carries a ``query`` (a Search API address) instead, as entry.json
says. Like the Entry API of entry.json, the fake has no search: an event is found only by
its id.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import copy
import json
import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

import uvicorn
from publiq.schema_check import schema_errors

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

PROBLEM = "https://api.publiq.be/probs/"
INVALID_DATA = PROBLEM + "body/invalid-data"
DUPLICATE_PLACE = PROBLEM + "uitdatabank/duplicate-place"
CALENDAR_TYPE_NOT_SUPPORTED = PROBLEM + "uitdatabank/calendar-type-not-supported"
UNAUTHORIZED = PROBLEM + "auth/unauthorized"
NOT_FOUND = PROBLEM + "url/not-found"

_DEFAULT_AVAILABILITY = {"type": "Available"}


class RecordedRequest(NamedTuple):
    """One request the fake received: the parsed body is JSON, a form dict, raw text or None."""

    method: str
    path: str
    body: Any


@dataclass
class _Rule:
    remaining: int
    path_prefix: str | None
    status: int = 0
    retry_after: int | None = None
    seconds: float = 0.0

    def matches(self, path: str) -> bool:
        return self.path_prefix is None or path.startswith(self.path_prefix)


@dataclass
class _Reply:
    status: int
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    body: Any
    syntax_ok: bool
    base_url: str
    params: dict[str, str] = field(default_factory=dict)


def problem(type_: str, title: str, status: int, detail: str | None = None, **extra: Any) -> _Reply:
    """A publiq problem+json answer (``type``, ``title``, ``status``, optional ``detail``)."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return _Reply(status, body, "application/problem+json")


def invalid_data(errors: list[dict[str, str]]) -> _Reply:
    """400 ``body/invalid-data`` with ``schemaErrors`` (``jsonPointer``, ``error``)."""
    return problem(INVALID_DATA, "Invalid body data", 400, schemaErrors=errors)


def _not_found(kind: str, item_id: str) -> _Reply:
    return problem(NOT_FOUND, "Not Found", 404, f'The {kind} with id "{item_id}" was not found.')


def _parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _normalized(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


class FakeUitdatabank:
    """In-memory UiTdatabank Entry API with token flow, schema validation and fault injection.

    Introspection: ``requests`` (every request, refused ones included), ``events`` and
    ``places`` (id -> stored JSON-LD-ish document, as ``GET`` returns it).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        expires_in: int = 3600,
        base_url: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.expires_in = expires_in
        self.base_url = base_url  # set by serve(); else taken from the Host header
        self.requests: list[RecordedRequest] = []
        self.events: dict[str, dict[str, Any]] = {}
        self.places: dict[str, dict[str, Any]] = {}
        self._tokens: dict[str, float] = {}
        self._labels: dict[str, list[str]] = {}
        self._faults: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._without_id: list[_Rule] = []
        self._lock = threading.Lock()
        self._routes: list[tuple[str, re.Pattern[str], Callable[[_Request], _Reply]]] = [
            ("POST", re.compile(r"/events/?"), self._post_event),
            ("GET", re.compile(r"/events?/(?P<id>[^/]+)/?"), self._get_event),
            ("PUT", re.compile(r"/events?/(?P<id>[^/]+)/?"), self._put_event),
            ("PATCH", re.compile(r"/events?/(?P<id>[^/]+)/sub-events/?"), self._patch_sub_events),
            (
                "PUT",
                re.compile(r"/events?/(?P<id>[^/]+)/booking-availability/?"),
                self._put_booking_availability,
            ),
            (
                "PUT",
                re.compile(r"/events?/(?P<id>[^/]+)/workflow-status/?"),
                self._put_workflow_status,
            ),
            ("POST", re.compile(r"/places/?"), self._post_place),
            ("GET", re.compile(r"/places?/(?P<id>[^/]+)/?"), self._get_place),
        ]

    # -- test controls -------------------------------------------------------------------

    def issue_token(self) -> str:
        """A valid access token, as ``POST /token`` would hand out."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.monotonic() + self.expires_in
        return token

    def expire_tokens(self) -> None:
        """Make every token issued so far invalid (requests using one get 401)."""
        with self._lock:
            self._tokens.clear()

    def fail_next(
        self,
        status: int,
        times: int = 1,
        path_prefix: str | None = None,
        *,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` requests (whose path starts with ``path_prefix``; any
        path, ``/token`` included, when None) with ``status`` and a problem+json body, without
        carrying them out. 429 and 503 carry ``Retry-After`` (``retry_after``, default 0)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(_Rule(times, path_prefix, status=status, retry_after=retry_after))

    def delay_next(self, seconds: float, times: int = 1, path_prefix: str | None = None) -> None:
        """Hold the next ``times`` matching requests for ``seconds`` before handling them. A
        request whose client gave up meanwhile is still carried out, as a real server would."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._delays.append(_Rule(times, path_prefix, seconds=seconds))

    def answer_without_id_next(self, times: int = 1) -> None:
        """Carry out the next ``times`` valid ``POST /events`` (validated and stored as
        usual) but answer 201 with a body that names no id (a broken gateway or proxy)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._without_id.append(_Rule(times, "/events"))

    def add_label(self, event_id: str, label: str) -> None:
        """A label added on the UiTdatabank side (UI, moderator); kept across ``PUT``."""
        labels = self._labels.setdefault(event_id, [])
        if label not in labels:
            labels.append(label)
        if event_id in self.events:
            self._apply_labels(event_id, self.events[event_id])

    def add_place(self, place: dict[str, Any], place_id: str | None = None) -> str:
        """Store a place that already exists in UiTdatabank (must satisfy place-post.json)."""
        errors = schema_errors("place-post.json", place)
        if errors:
            raise ValueError(f"invalid place: {errors}")
        place_id = place_id or str(uuid.uuid4())
        self._store_place(place_id, place, self.base_url or "http://testserver")
        return place_id

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[RecordedRequest]:
        """Recorded requests with that method (any when None) and path prefix."""
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and r.path.startswith(path_prefix)
        ]

    # -- ASGI ----------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            raw += message.get("body", b"")
            if not message.get("more_body", False):
                break
        request = self._request(scope, raw)
        self.requests.append(RecordedRequest(request.method, request.path, request.body))

        delay = self._take(self._delays, request.path)
        if delay is not None:
            await asyncio.sleep(delay.seconds)
        fault = self._take(self._faults, request.path)
        reply = self._fault_reply(fault) if fault is not None else self._dispatch(request)
        await self._send(send, reply)

    def _request(self, scope: Scope, raw: bytes) -> _Request:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        body: Any = None
        syntax_ok = True
        if raw:
            text = raw.decode("utf-8", errors="replace")
            if content_type == "application/x-www-form-urlencoded":
                body = dict(parse_qsl(text, keep_blank_values=True))
            else:
                try:
                    body = json.loads(text)
                except ValueError:
                    body, syntax_ok = text, False
        base_url = self.base_url or f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return _Request(scope["method"], scope["path"], headers, raw, body, syntax_ok, base_url)

    def _take(self, rules: list[_Rule], path: str) -> _Rule | None:
        with self._lock:
            for rule in rules:
                if rule.matches(path):
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        rules.remove(rule)
                    return rule
        return None

    @staticmethod
    def _fault_reply(rule: _Rule) -> _Reply:
        status = rule.status
        known = {401: (UNAUTHORIZED, "Unauthorized"), 404: (NOT_FOUND, "Not Found")}
        type_, title = known.get(status, ("about:blank", HTTPStatus(status).phrase))
        reply = problem(type_, title, status, "Failure injected by the fake UiTdatabank.")
        if rule.retry_after is not None or status in (429, 503):
            reply.headers["retry-after"] = str(rule.retry_after or 0)
        return reply

    @staticmethod
    async def _send(send: Send, reply: _Reply) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
        if reply.body is not None:
            headers.append((b"content-type", reply.content_type.encode()))
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": reply.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _dispatch(self, request: _Request) -> _Reply:
        if request.method == "POST" and request.path.rstrip("/") in ("/token", "/oauth/token"):
            return self._token(request)
        refused = self._check_token(request)
        if refused is not None:
            return refused
        path_known = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            path_known = True
            if method == request.method:
                request.params = match.groupdict()
                return handler(request)
        if path_known:
            return problem(PROBLEM + "method/not-allowed", "Method not allowed", 405)
        return problem(NOT_FOUND, "Not Found", 404, f"No route for {request.path}.")

    # -- authentication ------------------------------------------------------------------

    def _token(self, request: _Request) -> _Reply:
        form = request.body if isinstance(request.body, dict) else {}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
                client_id, _, client_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                client_id = client_secret = None
        if form.get("grant_type") != "client_credentials":
            return _Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Only grant_type=client_credentials is supported.",
                },
            )
        if client_id != self.client_id or client_secret != self.client_secret:
            return _Reply(401, {"error": "access_denied", "error_description": "Unauthorized"})
        token = self.issue_token()
        return _Reply(
            200,
            {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in},
            headers={"cache-control": "no-store"},
        )

    def _check_token(self, request: _Request) -> _Reply | None:
        authorization = request.headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            detail = "Missing bearer token in the Authorization header."
        else:
            with self._lock:
                expires = self._tokens.get(token.strip())
            if expires is not None and time.monotonic() < expires:
                return None
            detail = "The access token is invalid or has expired."
        reply = problem(UNAUTHORIZED, "Unauthorized", 401, detail)
        reply.headers["www-authenticate"] = "Bearer"
        return reply

    # -- shared --------------------------------------------------------------------------

    @staticmethod
    def _body_problem(request: _Request, schema_file: str) -> _Reply | None:
        if not request.raw.strip():
            return problem(PROBLEM + "body/missing", "Body missing", 400)
        if not request.syntax_ok:
            return problem(
                PROBLEM + "body/invalid-syntax",
                "Invalid body syntax",
                400,
                "The given request body could not be parsed as JSON.",
            )
        errors = schema_errors(schema_file, request.body)
        return invalid_data(errors) if errors else None

    @staticmethod
    def _created(kind: str, item_id: str, base_url: str, status: int = 201) -> _Reply:
        legacy = "eventId" if kind == "events" else "placeId"
        body = {
            "id": item_id,
            legacy: item_id,
            "url": f"{base_url}/{kind}/{item_id}",
            "commandId": str(uuid.uuid4()),
        }
        return _Reply(status, body)

    # -- events --------------------------------------------------------------------------

    def _post_event(self, request: _Request) -> _Reply:
        refused = self._body_problem(request, "event-post.json") or _price_names_problem(
            request.body
        )
        if refused is not None:
            return refused
        event_id = str(uuid.uuid4())
        self._store_event(event_id, request.body, request.base_url)
        if self._take(self._without_id, request.path) is not None:
            return _Reply(201, {"commandId": str(uuid.uuid4())})
        return self._created("events", event_id, request.base_url)

    def _get_event(self, request: _Request) -> _Reply:
        event = self.events.get(request.params["id"])
        if event is None:
            return _not_found("event", request.params["id"])
        return _Reply(200, event)

    def _put_event(self, request: _Request) -> _Reply:
        event_id = request.params["id"]
        if event_id not in self.events:
            return _not_found("event", event_id)
        refused = self._body_problem(
            request, "event-with-write-example.json"
        ) or _price_names_problem(request.body)
        if refused is not None:
            return refused
        self._store_event(event_id, request.body, request.base_url)
        return self._created("events", event_id, request.base_url, status=200)

    def _patch_sub_events(self, request: _Request) -> _Reply:
        event_id = request.params["id"]
        event = self.events.get(event_id)
        if event is None:
            return _not_found("event", event_id)
        refused = self._body_problem(request, "event-subEvent-patch.json")
        if refused is not None:
            return refused
        calendar_type = event.get("calendarType")
        if calendar_type not in ("single", "multiple"):
            return problem(
                CALENDAR_TYPE_NOT_SUPPORTED,
                "Calendar type not supported",
                400,
                f'Not allowed to update subEvents on calendar type: "{calendar_type}". '
                "Only subEvents on single and multiple calendar types can be updated.",
            )
        sub_events = copy.deepcopy(event.get("subEvent", []))
        errors: list[dict[str, str]] = []
        for n, change in enumerate(request.body):
            index = change["id"]
            if not 0 <= index < len(sub_events):
                errors.append({"jsonPointer": f"/{n}/id", "error": f"No subEvent with id {index}."})
                continue
            error = _apply_sub_event_change(sub_events[index], change)
            if error is not None:
                errors.append({"jsonPointer": f"/{n}/bookingAvailability", "error": error})
        if errors:
            return invalid_data(errors)
        event["subEvent"] = sub_events
        _normalize_calendar(event)
        return _Reply(204)

    def _put_booking_availability(self, request: _Request) -> _Reply:
        event_id = request.params["id"]
        event = self.events.get(event_id)
        if event is None:
            return _not_found("event", event_id)
        refused = self._body_problem(request, "event-bookingAvailability.json")
        if refused is not None:
            return refused
        calendar_type = event.get("calendarType")
        if calendar_type not in ("single", "multiple"):
            return problem(
                CALENDAR_TYPE_NOT_SUPPORTED,
                "Calendar type not supported",
                400,
                f'Not allowed to update booking availability on calendar type: "{calendar_type}".'
                " Only single and multiple calendar types can be updated.",
            )
        event["bookingAvailability"] = copy.deepcopy(request.body)
        for sub_event in event.get("subEvent", []):
            availability = sub_event.setdefault("bookingAvailability", dict(_DEFAULT_AVAILABILITY))
            if "remainingCapacity" not in availability:
                availability["type"] = request.body["type"]
        return _Reply(204)

    def _put_workflow_status(self, request: _Request) -> _Reply:
        event_id = request.params["id"]
        event = self.events.get(event_id)
        if event is None:
            return _not_found("event", event_id)
        refused = self._body_problem(request, "event-workflowStatus-put.json")
        if refused is not None:
            return refused
        status = request.body["workflowStatus"]
        event["workflowStatus"] = status
        if "availableFrom" in request.body:
            event["availableFrom"] = request.body["availableFrom"]
        elif status == "READY_FOR_VALIDATION" and "availableFrom" not in event:
            event["availableFrom"] = _now()
        if "reason" in request.body:
            event["workflowStatusReason"] = request.body["reason"]
        return _Reply(204)

    def _store_event(self, event_id: str, body: dict[str, Any], base_url: str) -> None:
        previous = self.events.get(event_id, {})
        event = copy.deepcopy(body)
        event["@id"] = f"{base_url}/events/{event_id}"
        event.setdefault("workflowStatus", previous.get("workflowStatus", "DRAFT"))
        event.setdefault("status", dict(_DEFAULT_AVAILABILITY))
        event.setdefault("bookingAvailability", dict(_DEFAULT_AVAILABILITY))
        _normalize_calendar(event)
        self._apply_labels(event_id, event)
        self.events[event_id] = event

    def _apply_labels(self, event_id: str, event: dict[str, Any]) -> None:
        labels = event.setdefault("labels", [])
        labels.extend(label for label in self._labels.get(event_id, []) if label not in labels)
        if not labels:
            del event["labels"]

    # -- places --------------------------------------------------------------------------

    def _post_place(self, request: _Request) -> _Reply:
        refused = self._body_problem(request, "place-post.json")
        if refused is not None:
            return refused
        key = _place_key(request.body)
        matches = [
            place_id
            for place_id, place in self.places.items()
            if key is not None and _place_key(place) == key and _place_is_live(place)
        ]
        if len(matches) == 1:
            return problem(
                DUPLICATE_PLACE,
                "Duplicate place",
                409,
                "A place with this address / name combination already exists. "
                "Please use the existing place for your purposes.",
                duplicatePlaceUri=f"{request.base_url}/place/{matches[0]}",
            )
        if matches:
            # entry.json: "When multiple duplicated places are found, [query] provides a
            # URI to existing places" (a search), instead of duplicatePlaceUri.
            return problem(
                DUPLICATE_PLACE,
                "Duplicate place",
                409,
                "This place already exists. Use the attached query to get existing place(s) "
                "for the place you tried to create.",
                query=_duplicates_query(request.body),
            )
        place_id = str(uuid.uuid4())
        self._store_place(place_id, request.body, request.base_url)
        return self._created("places", place_id, request.base_url)

    def _get_place(self, request: _Request) -> _Reply:
        place = self.places.get(request.params["id"])
        if place is None:
            return _not_found("place", request.params["id"])
        return _Reply(200, place)

    def _store_place(self, place_id: str, body: dict[str, Any], base_url: str) -> None:
        place = copy.deepcopy(body)
        place["@id"] = f"{base_url}/places/{place_id}"
        place.setdefault("workflowStatus", "DRAFT")
        self.places[place_id] = place


def _price_names_problem(event: Any) -> _Reply | None:
    """common-priceInfo.json: "Names must be unique (per language) when using multiple
    tariffs" (a rule the schema states in words, so checked here)."""
    prices = event.get("priceInfo") if isinstance(event, dict) else None
    if not isinstance(prices, list):
        return None
    seen: set[tuple[str, str]] = set()
    errors = []
    for n, price in enumerate(prices):
        names = price.get("name") if isinstance(price, dict) else None
        for language, name in (names or {}).items():
            if (language, name) in seen:
                errors.append(
                    {
                        "jsonPointer": f"/priceInfo/{n}/name/{language}",
                        "error": "Tariff names must be unique per language.",
                    }
                )
            seen.add((language, name))
    return invalid_data(errors) if errors else None


def _apply_sub_event_change(sub_event: dict[str, Any], change: dict[str, Any]) -> str | None:
    """Apply one ``PATCH /sub-events`` item to a sub-event; an error message if refused.

    Omitted properties stay; ``childcare`` is replaced (``{}`` clears it); a
    ``bookingAvailability`` is merged, ``remainingCapacity`` setting ``type`` (0 -> Unavailable).
    """
    for key in ("startDate", "endDate", "status", "overnight"):
        if key in change:
            sub_event[key] = copy.deepcopy(change[key])
    if "childcare" in change:
        if change["childcare"]:
            sub_event["childcare"] = dict(change["childcare"])
        else:
            sub_event.pop("childcare", None)
    if "bookingAvailability" in change:
        new = change["bookingAvailability"]
        availability = dict(sub_event.get("bookingAvailability", _DEFAULT_AVAILABILITY))
        if "type" in new:
            availability["type"] = new["type"]
        if "capacity" in new:
            availability["capacity"] = new["capacity"]
        if "remainingCapacity" in new:
            availability["remainingCapacity"] = new["remainingCapacity"]
            availability["type"] = "Available" if new["remainingCapacity"] > 0 else "Unavailable"
        capacity, remaining = availability.get("capacity"), availability.get("remainingCapacity")
        if capacity is not None and remaining is not None and remaining > capacity:
            return "remainingCapacity cannot exceed capacity."
        sub_event["bookingAvailability"] = availability
    return None


def _normalize_calendar(event: dict[str, Any]) -> None:
    """Sort sub-events chronologically, number them, fill defaults and the event's dates."""
    sub_events = event.get("subEvent")
    if not isinstance(sub_events, list) or not sub_events:
        return
    sub_events.sort(key=lambda s: _parse_datetime(s["startDate"]))
    for index, sub_event in enumerate(sub_events):
        sub_event["id"] = index
        sub_event.setdefault("status", dict(_DEFAULT_AVAILABILITY))
        sub_event.setdefault("bookingAvailability", dict(_DEFAULT_AVAILABILITY))
    event["startDate"] = sub_events[0]["startDate"]
    event["endDate"] = max(sub_events, key=lambda s: _parse_datetime(s["endDate"]))["endDate"]


def _place_key(place: dict[str, Any]) -> tuple[str, ...] | None:
    """Name and address in the main language, normalized (udb3's duplicate check)."""
    language = place.get("mainLanguage")
    name, address = place.get("name"), place.get("address")
    if not isinstance(name, dict) or not isinstance(address, dict) or language not in name:
        return None
    localized = address.get(language, address)
    if not isinstance(localized, dict):
        return None
    parts = ("streetAddress", "postalCode", "addressLocality", "addressCountry")
    return (_normalized(name[language]), *(_normalized(localized.get(p, "")) for p in parts))


SEARCH_URL = "https://search-test.uitdatabank.be/places/"


def _duplicates_query(place: dict[str, Any]) -> str:
    """A Search API address for the places with this name and address (what udb3 attaches
    to a 409 with several candidates)."""
    language = place["mainLanguage"]
    address = place["address"].get(language, {})
    q = (
        f'name.{language}:"{place["name"][language]}" AND '
        f'address.{language}.streetAddress:"{address.get("streetAddress", "")}" AND '
        f'address.{language}.postalCode:"{address.get("postalCode", "")}"'
    )
    return f"{SEARCH_URL}?{urlencode({'q': q})}"


def _place_is_live(place: dict[str, Any]) -> bool:
    return place.get("workflowStatus") not in ("DELETED", "REJECTED")


@contextmanager
def serve(fake: FakeUitdatabank, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Run ``fake`` with uvicorn on 127.0.0.1 (free port) in a background thread; yields the
    base URL and stops the server on exit. Works in sync and async tests alike."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(
        fake,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="fake-uitdatabank", daemon=True
    )
    previous_base_url, fake.base_url = fake.base_url, base_url
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the fake UiTdatabank did not start")
            time.sleep(0.01)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        fake.base_url = previous_base_url
