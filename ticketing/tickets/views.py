"""The tickets' rows as the API shows them."""

from __future__ import annotations

import base64

from ticketing.tickets.models import SigningKey
from ticketing.tickets.schemas import SigningKeyOut


def signing_key_out(key: SigningKey) -> SigningKeyOut:
    return SigningKeyOut(
        key_id=key.key_id,
        public_key=base64.b64encode(key.public_key).decode(),
        created_at=key.created_at,
        retired_at=key.retired_at,
    )
