"""The receiving FSP's hashlock binds every term it agreed to, not the quote id alone: a fulfilment revealed on
chain for one agreement opens no other, even one under the same quote id (tests/remit_flow/test_inter_fsp_payout.py
runs the attack end to end)."""

from __future__ import annotations

import msgspec

from inzira.remit.condition import FULFILMENT_DOMAIN, fulfilment_for
from inzira.remit.records import PayeeTerms

SECRET = b"\x11" * 32
TERMS = PayeeTerms(quote_id="q-1", sending_fsp="eurosend", receiving_fsp="mobimo", msisdn="+250788123456",
                   currency="RWF", amount_received_minor=10_000, receiving_fee_minor=300, condition=b"",
                   expires_at_ms=1_800_000_000_000, sender_name="Marie Dupont", receiver_name="Jeanne Uwase")


def test_every_agreed_term_changes_the_fulfilment() -> None:
    agreed = fulfilment_for(SECRET, TERMS)
    changes = {"sending_fsp": "silkpay", "receiving_fsp": "ubumwe", "msisdn": "+250788123457", "currency": "EUR",
               "amount_received_minor": 10_001, "receiving_fee_minor": 301, "expires_at_ms": 1_800_000_000_001,
               "sender_name": "Marie Dupond", "receiver_name": "Jeanne Uwas", "quote_id": "q-2"}
    for field, value in changes.items():
        assert fulfilment_for(SECRET, msgspec.structs.replace(TERMS, **{field: value})) != agreed, field
    assert fulfilment_for(b"\x12" * 32, TERMS) != agreed  # another FSP's secret
    assert fulfilment_for(SECRET, msgspec.structs.replace(TERMS, condition=b"\x07" * 32)) == agreed  # derived from it
    assert len(agreed) == 32 and FULFILMENT_DOMAIN == b"inzira/remit/fulfilment/v2\x00"


def test_names_cannot_be_shifted_between_fields_to_the_same_fulfilment() -> None:
    """The terms are encoded as a sequence, not concatenated: moving text from one name to the other is
    another agreement."""
    shifted = msgspec.structs.replace(TERMS, sender_name="Marie DupontJeanne", receiver_name=" Uwase")
    assert fulfilment_for(SECRET, shifted) != fulfilment_for(SECRET, TERMS)
