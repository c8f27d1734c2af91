"""Bytes that are not UTF-8 where a string belongs, or nested past msgspec's depth: a 4xx or a hidden line,
never a 5xx.

msgspec reports such a string with UnicodeDecodeError, and such nesting (even in an item it skips) with
RecursionError, not DecodeError. Since the ledger turns these bytes
into a MALFORMED verdict (a transaction that stays in its block, on a network whose cutter takes what the
ordering log holds), the API must also read them back without failing.
"""

from __future__ import annotations

import base64

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


DEEP_ITEM = b"\x91" * 5_000 + b"\x90"  # msgpack: 5,000 arrays nested in 5 KB
DEEP_TX = b"\x93\xc4\x00\x90" + DEEP_ITEM  # a SignedTx with a third item, which its decoder skips


def test_a_stored_transaction_nested_too_deep_has_no_facts_and_raises_nothing():
    assert tx_facts(DEEP_TX, {}, lambda _: None) == TxFacts(b"", "", "", NOBODY)


def test_a_transaction_or_a_json_envelope_nested_too_deep_is_a_400(ledger):
    deep_json = b'{"tx": "AAAA", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"
    with ledger.http("eurosend") as http:
        problem(http.post("/v1/transactions", content=DEEP_TX, headers={"Content-Type": "application/octet-stream"}),
                400, 3101)
        # The envelope forbids unknown fields: msgspec refuses at the key, before reading the nesting.
        problem(http.post("/v1/transactions", content=deep_json, headers={"Content-Type": "application/json"}),
                400, 3100)
        batch = http.post("/v1/transactions/batch", json={"txs": [base64.b64encode(DEEP_TX).decode()]})
        assert batch.status_code == 200, batch.text
        assert [(r["status"], r["code"]) for r in batch.json()["results"]] == [(400, 3101)]
