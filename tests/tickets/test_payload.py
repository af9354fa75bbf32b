"""The QR payload and the offline verifier, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ticketing.checkin.verify import Reason, Verifier
from ticketing.tickets import payload
from ticketing.tickets.signing import Signer

START = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "text"),
    # The examples of RFC 9285, section 4.
    [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"", "")],
)
def test_base45_as_in_the_rfc(raw: bytes, text: str) -> None:
    assert payload.b45encode(raw) == text
    assert payload.b45decode(text) == raw


@pytest.mark.parametrize("text", ["GGW", "A", ":::", "abc"])
def test_base45_refuses_what_it_cannot_have_written(text: str) -> None:
    with pytest.raises(payload.Malformed):
        payload.b45decode(text)


def _key(key_id: int) -> tuple[Signer, bytes]:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Signer(key_id, private), public


def _claims(key_id: int, **changes: object) -> payload.TicketClaims:
    values: dict[str, object] = {
        "key_id": key_id,
        "ticket_id": uuid.uuid4(),
        "performance_id": uuid.uuid4(),
        "valid_from": START - timedelta(hours=6),
        "valid_until": START + timedelta(hours=5),
        "needs_check": True,
        "place": "STALLS/C/12",
        "tariff": "U26",
    }
    values.update(changes)
    return payload.TicketClaims(**values)  # type: ignore[arg-type]


def test_a_signed_code_reads_back_and_fits_a_small_qr_code() -> None:
    signer, public = _key(7)
    claims = _claims(7)
    text = signer.sign(claims)
    assert text.startswith("PD1:")
    assert len(text) < 200
    assert set(text) <= set(payload.BASE45)  # the QR code's alphanumeric mode
    verdict = Verifier({7: public}).check(text, now=START, performance_id=claims.performance_id)
    assert verdict.reason is Reason.VALID
    assert verdict.claims == claims


def test_every_refusal_has_its_reason() -> None:
    signer, public = _key(1)
    _, foreign_public = _key(2)
    foreign_signer, _ = _key(2)
    claims = _claims(1)
    text = signer.sign(claims)
    verifier = Verifier({1: public, 3: foreign_public}, revoked=[uuid.uuid4()])

    def reason(code: str, **kw: object) -> Reason:
        return verifier.check(code, now=kw.pop("now", START), **kw).reason  # type: ignore[arg-type]

    assert reason(text) is Reason.VALID
    # One byte changed anywhere in the signed part or the signature: forged.
    raw = payload.b45decode(text[4:])
    for at in (0, 10, 30, len(raw) - 70, len(raw) - 1):
        damaged = bytearray(raw)
        damaged[at] ^= 0x01
        assert reason("PD1:" + payload.b45encode(bytes(damaged))) in (
            Reason.FORGED,
            Reason.UNKNOWN_KEY,  # the byte changed was the key id
        )
    changed = bytearray(raw)
    changed[40] ^= 0x01  # inside the performance id
    assert reason("PD1:" + payload.b45encode(bytes(changed))) is Reason.FORGED
    # Signed by a key the device does not know, or the known id with another key.
    assert reason(foreign_signer.sign(_claims(2))) is Reason.UNKNOWN_KEY
    assert reason(Signer(1, foreign_signer.private).sign(_claims(1))) is Reason.FORGED
    assert reason("https://example.org/") is Reason.UNKNOWN
    assert reason("PD1:not base45!") is Reason.FORGED
    revoked = Verifier({1: public}, revoked=[claims.ticket_id])
    assert revoked.check(text, now=START).reason is Reason.REVOKED
    assert reason(text, performance_id=uuid.uuid4()) is Reason.WRONG_PERFORMANCE
    only_other = Verifier({1: public}, performances=[uuid.uuid4()])
    assert only_other.check(text, now=START).reason is Reason.WRONG_PERFORMANCE
    assert reason(text, now=claims.valid_from - timedelta(minutes=1)) is Reason.NOT_YET_VALID
    assert reason(text, now=claims.valid_until + timedelta(minutes=1)) is Reason.EXPIRED
