"""Secrets derived from the tickets secret key (`TICKETING_TICKETS__SECRET_KEY`).

- Signing keys are stored sealed: AES-256-GCM under a key derived from it, bound to the
  key's id and house (a sealed key copied to another row does not open).
- An order's secret (the key of the buyer's link to the tickets) is derived from the
  order's id, so the worker that mails the tickets can put the link in the mail while the
  database keeps only the secret's hash.

Every process that creates orders or issues tickets configures it once at startup. It sits
in core because both use it: orders (an order's secret, at checkout) and tickets above
them (signing keys, the link in the mail).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import uuid

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

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


_keyring: Keyring | None = None
_settings: TicketSettings | None = None
_public_url = ""


def configure(settings: TicketSettings, public_url: str) -> Keyring:
    """Use these settings in this process (the API does so at startup, tests per case)."""
    global _keyring, _settings, _public_url
    _keyring = Keyring(settings.secret_key.get_secret_value())
    _settings = settings
    _public_url = public_url.rstrip("/")
    return _keyring


def ticket_settings() -> TicketSettings:
    if _settings is None:
        from ticketing.settings import get_settings

        settings = get_settings()
        configure(settings.tickets, settings.public_url)
    assert _settings is not None
    return _settings


def tickets_link(order_id: uuid.UUID) -> str:
    """The buyer's link to the order's "my tickets" page (QR codes and the PDF), with the
    order's secret."""
    ticket_settings()
    secret = keyring().order_secret(order_id)
    return f"{_public_url}/shop/orders/{order_id}?secret={secret}"


def keyring() -> Keyring:
    """The process's keyring; a worker configures it from its settings on first use."""
    if _keyring is None:
        ticket_settings()
    assert _keyring is not None
    return _keyring
