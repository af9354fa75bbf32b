"""The UiTdatabank Entry API, as the sync uses it.

- Authentication: OAuth2 client credentials at the configured token URL; the token is
  kept until shortly before it expires, and a 401 fetches a new one once.
- 429, 5xx and timeouts are tried again with exponential backoff and jitter (a 429's
  Retry-After is honoured), `retries` tries in all (3: the first and two more); when the
  tries run out the error is `Retryable` and the outbox tries again later.
- A creation (`POST /events`) is never sent again once it may have reached UiTdatabank:
  when its answer is lost (a read timeout, a dropped connection, a 502 or 504 from
  publiq's gateway) it may have been carried out, and the Entry API offers no way to find
  an event without its id, so sending it again could make a second event.
  `CreateUncertain` tells the sync to hold it for staff; so does a 2xx answer without a
  valid id (the event was probably made, and no id is stored that is not one). A
  connection that could not be made, a 429 or a 500/503 answer is a creation that did
  not happen: tried again.
- A 400 is the request's fault (publiq's problem+json, with `schemaErrors`): `Refused`,
  not tried again.
- Every attempt is logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from typing import Any

import httpx

from ticketing.settings import UitdatabankSettings

log = logging.getLogger("ticketing.uitdatabank")
TOKEN_MARGIN_SECONDS = 60
# The process's tokens by (token URL, client id), with when to stop using each: every
# sync makes a client of its own, and they share the token.
_tokens: dict[tuple[str, str], tuple[str, float]] = {}


class UitdatabankError(Exception):
    def __init__(self, message: str, *, status: int | None = None, problem: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.problem = problem


class Retryable(UitdatabankError):
    """Busy, down or slow: try again later."""


class CreateUncertain(UitdatabankError):
    """A creation whose answer was lost: it may or may not exist in UiTdatabank now."""


class Refused(UitdatabankError):
    """UiTdatabank refused what we sent (400, 403, 404): no use sending it again."""

    def schema_errors(self) -> list[dict[str, Any]]:
        if isinstance(self.problem, dict):
            errors = self.problem.get("schemaErrors")
            if isinstance(errors, list):
                return errors
        return []


class AmbiguousPlace(Refused):
    """UiTdatabank holds several places like the one we asked to create (a 409 with a
    search query instead of one place): a person must pick the venue's place."""

    def __init__(self, query: str) -> None:
        super().__init__(
            "UiTdatabank already holds several places with this venue's name and address, "
            "so Podium cannot tell which one it is. Link the venue to the right place "
            "(PATCH /venues/{venue_id} with its uitdatabank_place_id); the places it "
            f"found: {query}",
            status=409,
        )
        self.query = query


# Failures after which a request may have reached UiTdatabank and been carried out.
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError,
               httpx.RemoteProtocolError)  # fmt: skip
_ANSWER_LOST = (502, 504)  # publiq's gateway gave up waiting: the request may have run


class Client:
    def __init__(
        self, settings: UitdatabankSettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if not settings.api_url or not settings.token_url:
            raise RuntimeError("Set TICKETING_UITDATABANK__API_URL and __TOKEN_URL.")
        self.settings = settings
        self.http = httpx.AsyncClient(timeout=settings.timeout_seconds, transport=transport)

    async def close(self) -> None:
        await self.http.aclose()

    @property
    def base(self) -> str:
        return self.settings.api_url.rstrip("/")

    async def token(self, *, fresh: bool = False) -> str:
        key = (self.settings.token_url, self.settings.client_id)
        kept = _tokens.get(key)
        if kept is not None and not fresh and time.monotonic() < kept[1]:
            return kept[0]
        response = await self._send(
            "POST",
            self.settings.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.settings.client_id,
                "client_secret": self.settings.client_secret.get_secret_value(),
                "audience": self.settings.audience,
            },
        )
        if response.status_code != 200:
            raise Refused(
                f"UiTdatabank refused our client credentials ({response.status_code}).",
                status=response.status_code,
            )
        answer = response.json()
        token = str(answer["access_token"])
        lifetime = float(answer.get("expires_in", 3600))
        _tokens[key] = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN_SECONDS))
        return token

    async def _send(
        self, method: str, url: str, *, once: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """One request, tried again on 429, 5xx and timeouts: `retries` tries in all. A
        request that must happen at most `once` raises `CreateUncertain` instead of
        trying again when it may have been carried out."""
        tries = max(1, self.settings.retries)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.http.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                log.warning("uitdatabank %s %s: %s (attempt %d)", method, url, exc, attempt)
                if once and isinstance(exc, _MAYBE_SENT):
                    raise CreateUncertain(
                        f"UiTdatabank did not answer {method} {url}: {type(exc).__name__}"
                    ) from exc
                if attempt >= tries:
                    raise Retryable(f"UiTdatabank did not answer: {exc}") from exc
                await self._wait(attempt, None)
                continue
            log.info(
                "uitdatabank %s %s -> %d (attempt %d)", method, url, response.status_code, attempt
            )
            if once and response.status_code in _ANSWER_LOST:
                raise CreateUncertain(
                    f"UiTdatabank's gateway answered {response.status_code} to {method} {url}",
                    status=response.status_code,
                )
            if response.status_code == 429 or response.status_code >= 500:
                if attempt >= tries:
                    raise Retryable(
                        f"UiTdatabank answered {response.status_code}.",
                        status=response.status_code,
                        problem=_problem(response),
                    )
                await self._wait(attempt, response.headers.get("retry-after"))
                continue
            return response

    async def _wait(self, attempt: int, retry_after: str | None) -> None:
        delay = self.settings.backoff_seconds * 2 ** (attempt - 1)
        delay = delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not a secret
        if retry_after is not None and retry_after.isdigit():
            delay = max(delay, float(retry_after))
        await asyncio.sleep(delay)

    async def call(
        self, method: str, path: str, body: Any = None, *, once: bool = False
    ) -> httpx.Response:
        """An Entry API call with the token; a 401 gets a new token once (a 401 was not
        carried out, so even a call made `once` may be sent again)."""
        for fresh in (False, True):
            headers = {"authorization": f"Bearer {await self.token(fresh=fresh)}"}
            response = await self._send(
                method, self.base + path, once=once, json=body, headers=headers
            )
            if response.status_code != 401:
                break
        if response.status_code == 401:
            raise Retryable("UiTdatabank does not accept our token.", status=401)
        if response.status_code >= 400 and response.status_code != 409:
            problem = _problem(response)
            detail = problem.get("detail") or problem.get("title") if problem else None
            raise Refused(
                f"UiTdatabank refused {method} {path} ({response.status_code}): "
                f"{detail or response.text[:300]}",
                status=response.status_code,
                problem=problem,
            )
        return response

    # --- the calls the sync makes ----------------------------------------------------

    async def create_event(self, body: dict[str, Any]) -> str:
        """The new event's id; `CreateUncertain` if the answer was lost, or if it said
        the event was made (2xx) without a valid id: UiTdatabank probably holds it then,
        so it is not sent again, and no made-up id is stored."""
        response = await self.call("POST", "/events", body, once=True)
        if not response.is_success:  # a 409 (or a 3xx): an answer, nothing was created
            raise Refused(
                f"UiTdatabank refused POST /events ({response.status_code}): "
                + response.text[:300],
                status=response.status_code,
                problem=_problem(response),
            )
        answer = _problem(response)  # the JSON object answered, if it is one
        found = (answer.get("id") or answer.get("eventId")) if answer else None
        if not (isinstance(found, str) and _is_uuid(found)):
            raise CreateUncertain(
                f"UiTdatabank answered {response.status_code} to POST /events without a "
                f"valid id ({response.text[:80]})",
                status=response.status_code,
            )
        return found

    async def get_event(self, event_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = (await self.call("GET", f"/events/{event_id}")).json()
        return answer

    async def put_event(self, event_id: str, body: dict[str, Any]) -> None:
        await self.call("PUT", f"/events/{event_id}", body)

    async def patch_sub_events(self, event_id: str, changes: list[dict[str, Any]]) -> None:
        await self.call("PATCH", f"/events/{event_id}/sub-events", changes)

    async def create_place(self, body: dict[str, Any]) -> str:
        """A new place, or the existing one UiTdatabank says this is a duplicate of."""
        response = await self.call("POST", "/places", body)
        answer = response.json()
        if response.status_code == 409:
            existing = _duplicate_place_id(answer)
            if existing is not None:
                return existing
            query = answer.get("query") if isinstance(answer, dict) else None
            if isinstance(query, str) and query:
                raise AmbiguousPlace(query)
            raise Refused(
                "UiTdatabank says this venue's place exists but not which one: link the "
                "venue to its place (PATCH /venues/{venue_id} with its uitdatabank_place_id).",
                status=409,
                problem=answer,
            )
        return _uuid_or_refuse(answer.get("id") or answer.get("placeId"))


def _problem(response: httpx.Response) -> dict[str, Any] | None:
    try:
        answer = response.json()
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def _duplicate_place_id(problem: Any) -> str | None:
    """The id of the one existing place in a 409 duplicate-place problem
    (`duplicatePlaceUri`, `/place/{id}` or `/places/{id}`). Only that field names one place:
    the `query` of a 409 with several candidates is a search, never an id."""
    if not isinstance(problem, dict):
        return None
    value = problem.get("duplicatePlaceUri")
    if not isinstance(value, str):
        return None
    candidate = value.rstrip("/").rsplit("/", 1)[-1]
    return candidate if _is_uuid(candidate) else None


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _uuid_or_refuse(value: Any) -> str:
    if isinstance(value, str) and _is_uuid(value):
        return value
    raise Refused(f"UiTdatabank answered without a valid id ({str(value)[:80]}).")
