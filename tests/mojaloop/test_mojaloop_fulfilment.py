"""The gateway's fulfilment is bound to every term of the packet it issues, and opens only packets it issued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inzira.interop.mojaloop import fulfilment, ilp

SECRET = bytes(range(32))
EXPIRES_AT = datetime(2026, 12, 6, 12, 0, 0, 123000, tzinfo=UTC)
TRANSACTION: dict[str, object] = {
    "transactionId": "d9ce59d4-3598-4396-8630-581bb0551451", "quoteId": "382987a8-75ce-4037-b500-c475e08c1727",
    "payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788123456", "fspId": "inzira"}},
    "payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "44123456789", "fspId": "payerdfsp"}},
    "amount": {"amount": "1500", "currency": "RWF"},
    "transactionType": {"scenario": "TRANSFER", "initiator": "PAYER", "initiatorType": "CONSUMER"},
}


def _condition(transaction: dict[str, object] = TRANSACTION, amount_minor: int = 1500,
               expires_at: datetime = EXPIRES_AT, secret: bytes = SECRET) -> bytes:
    return fulfilment.locked_packet(secret, transaction, amount_minor, expires_at)[1]


def test_the_packet_carries_the_condition_its_fulfilment_opens() -> None:
    packet, condition = fulfilment.locked_packet(SECRET, TRANSACTION, 1500, EXPIRES_AT)
    view = ilp.read_packet(packet)
    assert (view.condition, view.amount_minor, view.expires_at, view.transaction) == (condition, 1500, EXPIRES_AT,
                                                                                       TRANSACTION)
    opened = fulfilment.opening(SECRET, packet)
    assert opened is not None and ilp.condition_of(opened) == condition
    assert fulfilment.opening(SECRET, packet) == opened  # recomputed, never stored


@pytest.mark.parametrize("change", [
    {"quoteId": "00000000-0000-4000-8000-000000000000"},
    {"transactionId": "00000000-0000-4000-8000-000000000000"},
    {"payee": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788000000", "fspId": "inzira"}}},
    {"payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "44000000000", "fspId": "payerdfsp"}}},
    {"amount": {"amount": "1501", "currency": "RWF"}},
    {"transactionType": {"scenario": "PAYMENT", "initiator": "PAYER", "initiatorType": "CONSUMER"}},
])
def test_every_agreed_term_of_the_transaction_changes_the_condition(change: dict[str, object]) -> None:
    assert _condition({**TRANSACTION, **change}) != _condition()


def test_the_same_quote_id_agreed_again_later_gets_another_condition() -> None:
    """The quote book forgets only expired quotes: the quote agreed again expires later, so its condition
    differs even with every other term the same."""
    assert _condition(expires_at=EXPIRES_AT + timedelta(milliseconds=1)) != _condition()
    assert _condition(amount_minor=1501) != _condition()
    assert _condition(secret=bytes(32)) != _condition()


def test_only_the_gateways_own_packets_open() -> None:
    packet, condition = fulfilment.locked_packet(SECRET, TRANSACTION, 1500, EXPIRES_AT)
    assert fulfilment.opening(bytes(32), packet) is None  # another gateway's key
    altered = ilp.transaction_packet({**TRANSACTION, "amount": {"amount": "9999", "currency": "RWF"}}, 1500,
                                     EXPIRES_AT, condition)
    assert fulfilment.opening(SECRET, altered) is None  # the issued condition on other terms
    later = ilp.transaction_packet(TRANSACTION, 1500, EXPIRES_AT + timedelta(seconds=1), condition)
    assert fulfilment.opening(SECRET, later) is None
    for malformed in ("", "!!", ilp.b64url_encode(b"\x01\x00"), packet[:-4]):
        assert fulfilment.opening(SECRET, malformed) is None
