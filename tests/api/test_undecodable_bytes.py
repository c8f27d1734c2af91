"""Bytes that are not UTF-8 where a string belongs: a 4xx or a hidden line, never a 5xx.

msgspec reports such a string with UnicodeDecodeError, not DecodeError. Since the ledger turns these bytes
into a MALFORMED verdict (a transaction that stays in its block, on a network whose cutter takes what the
ordering log holds), the API must also read them back without failing.
"""

from __future__ import annotations

from inzira.api.visibility import NOBODY, TxFacts, tx_facts
from inzira.ledger.encoding import encode
from inzira.ledger.tx import OpenAccount, SignedTx, TxBody
from tests.api.helpers import problem


def test_a_stored_transaction_that_is_not_utf8_has_no_facts_and_raises_nothing():
    body = encode(TxBody(1, b"c" * 32, "eurosend", "r1", 1, OpenAccount("eurosend:x", "EUR")))
    spoiled = body.replace(b"eurosend", b"\xffurosend", 1)
    assert tx_facts(encode(SignedTx(spoiled, ())), {}, lambda _: None) == TxFacts(b"", "", "", NOBODY)


def test_a_json_envelope_that_is_not_utf8_is_a_400(ledger):
    with ledger.http("eurosend") as http:
        response = http.post("/v1/transactions", content=b'{"tx": "\xff"}',
                             headers={"Content-Type": "application/json"})
        problem(response, 400, 3100)
