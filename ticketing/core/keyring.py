"""Secrets derived from the tickets secret key (`TICKETING_TICKETS__SECRET_KEY`).

- Signing keys are stored sealed: AES-256-GCM under a key derived from it, bound to the
  key's id and house (a sealed key copied to another row does not open).
- An order's secret (the key of the buyer's link to the tickets) is derived from the
  order's id, so the worker that mails the tickets can put the link in the mail while the
  database keeps only the secret's hash.

It is built once per runtime (ticketing.core.runtime) from the settings. It sits in
core because both orders (an order's secret, at checkout) and tickets above them
(signing keys, the link in the mail) use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ticketing.core.runtime import Part, current
from ticketing.settings import TicketSettings

_NONCE = 12


class Keyring:
    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 32:
            raise RuntimeError(
                "Set TICKETING_TICKETS__SECRET_KEY to a random text of at least 32 characters."
            )
        master = secret_key.encode()
        self._links = hmac.new(master, b"podium order links", hashlib.sha256).digest()
        self._sealing = AESGCM(hmac.new(master, b"podium signing keys", hashlib.sha256).digest())

    def order_secret(self, order_id: uuid.UUID) -> str:
        digest = hmac.new(self._links, order_id.bytes, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:24]).decode()

    def seal(self, private_key: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + self._sealing.encrypt(nonce, private_key, context)

    def unseal(self, sealed: bytes, context: bytes) -> bytes:
        return self._sealing.decrypt(sealed[:_NONCE], sealed[_NONCE:], context)


@dataclass(frozen=True)
class TicketConfig:
    """The tickets' part of a runtime (ticketing.core.runtime): settings, the keyring
    built from their secret, and the public address the mails link to."""

    settings: TicketSettings
    keyring: Keyring
    public_url: str

    @classmethod
    def of(cls, settings: TicketSettings, public_url: str) -> TicketConfig:
        return cls(
            settings, Keyring(settings.secret_key.get_secret_value()), public_url.rstrip("/")
        )


TICKETS = Part("tickets", lambda s: TicketConfig.of(s.tickets, s.public_url))


def configure(settings: TicketSettings, public_url: str) -> Keyring:
    """Use these settings in the current runtime (tests and benchmarks)."""
    config = TicketConfig.of(settings, public_url)
    current().put(TICKETS, config)
    return config.keyring


def ticket_settings() -> TicketSettings:
    return current().get(TICKETS).settings


def tickets_link(order_id: uuid.UUID) -> str:
    """The buyer's link to the order's "my tickets" page (QR codes and the PDF), with the
    order's secret."""
    config = current().get(TICKETS)
    secret = config.keyring.order_secret(order_id)
    return f"{config.public_url}/shop/orders/{order_id}?secret={secret}"


def keyring() -> Keyring:
    """The keyring of the current runtime (request, task, or the process's default)."""
    return current().get(TICKETS).keyring
