"""Receipts over HTTP: fetched by a member, verified by anyone through the API and offline."""

from __future__ import annotations

import copy

from inzira.api.models import VerifyResult
from inzira.ledger.receipt import verify_receipt
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.node.node import load_genesis
from tests.api.helpers import post_tx


def test_receipt_verifies_through_the_api_and_offline(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=900)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http, ledger.http() as anonymous:
        committed = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 450, "EUR"),)))).json()
        receipt = http.get(committed["receipt_url"]).json()
        assert receipt["tx_id"] == committed["tx_id"] and receipt["block"]["height"] == committed["height"]
        offline = verify_receipt(receipt, load_genesis(ledger.data_dir))
        assert offline["code"] == 0 and offline["signers"] == ["eurosend"]
        checked = VerifyResult.model_validate(anonymous.post("/v1/receipts/verify", json=receipt).json())
        assert checked.valid and checked.model_extra["tx_id"] == committed["tx_id"]

        forged = copy.deepcopy(receipt)
        forged["result"]["code"] = 4001
        verdict = anonymous.post("/v1/receipts/verify", json=forged).json()
        assert verdict["valid"] is False and "Merkle" in verdict["reason"]
        for junk in ({}, {"format": "inzira-receipt/1"}, {**receipt, "proof": {"leaf_index": 0, "path": "x"}}):
            answer = anonymous.post("/v1/receipts/verify", json=junk)
            assert answer.status_code == 200 and answer.json()["valid"] is False, junk
        # A number no receipt can hold is a malformed request, not a verdict (see test_crafted_numbers).
        out_of_range = anonymous.post("/v1/receipts/verify", json={**receipt, "proof": {"leaf_index": -1, "path": []}})
        assert out_of_range.status_code == 400 and out_of_range.json()["code"] == 3100
        assert anonymous.post("/v1/receipts/verify", json=[1, 2]).status_code == 400


def test_a_rejection_has_a_receipt_too(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=10)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http, ledger.http() as anonymous:
        rejected = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 11, "EUR"),)))).json()
        receipt = http.get(rejected["receipt_url"]).json()
        checked = anonymous.post("/v1/receipts/verify", json=receipt).json()
        assert checked["valid"] is True and checked["code"] == 4001


def test_a_remittance_receipt_posted_whole_is_told_to_post_its_ledger_receipts(ledger):
    from inzira.api.receipt_input import REMITTANCE_RECEIPT_FORMAT
    from inzira.remit.receipts import RECEIPT_FORMAT

    assert REMITTANCE_RECEIPT_FORMAT == RECEIPT_FORMAT
    with ledger.http() as anonymous:
        verdict = anonymous.post("/v1/receipts/verify", json={"format": RECEIPT_FORMAT, "ledger_receipts": []})
    assert verdict.status_code == 200 and verdict.json()["valid"] is False
    assert "ledger_receipts" in verdict.json()["reason"] and "inzira remit verify-receipt" in verdict.json()["reason"]
