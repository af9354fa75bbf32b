"""Helpers for the Stripe tests (localstripe webhooks as delivered)."""

from __future__ import annotations

import queue
import time

WEBHOOK_SECRET = "whsec_podium_tests"


class Deliveries:
    """Webhooks as localstripe delivers them: raw body and Stripe-Signature header."""

    def __init__(self) -> None:
        self.items: queue.Queue[tuple[bytes, str]] = queue.Queue()

    def wait_for(self, event_type: str, intent_id: str, timeout: float = 15) -> tuple[bytes, str]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {event_type} webhook for {intent_id}"
            body, signature = self.items.get(timeout=remaining)
            if f'"type": "{event_type}"' in body.decode() and intent_id in body.decode():
                return body, signature
