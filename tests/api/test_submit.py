"""Submitting transactions over HTTP: commits, every kind of rejection as a coded problem, idempotency."""

from __future__ import annotations

import base64

from inzira.api.models import SubmitResult, TxDetail
from inzira.api.submit import original, settle
from inzira.crypto.keygen import generate_keypair
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import TX_BODY_BYTES_MAX, Issue, OpenAccount, Sig, SignedTx, Transfer, decode_signed, tx_id_of
from inzira.ordering.outcome import Outcome
from tests.api.helpers import post_tx, problem


def transfer(debit: str, credit: str, amount_minor: int, currency: str = "EUR") -> Transfer:
    return Transfer((Leg(debit, credit, amount_minor, currency),))


def test_open_issue_transfer_commit_and_read_back(ledger):
    account = "eurosend:eur-flow"
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http, ledger.http("sbk") as sbk:
        opened = post_tx(http, ledger.sign("eurosend", OpenAccount(account, "EUR")))
        assert opened.status_code == 200, opened.text
        issued = post_tx(sbk, ledger.sign("sbk", Issue(account, 50_000, "EUR")))
        assert issued.status_code == 200, issued.text
        sent = post_tx(http, ledger.sign("eurosend", transfer(account, payee, 1_250)))
        assert sent.status_code == 200, sent.text
        result = SubmitResult.model_validate(sent.json())
        assert result.code == 0 and result.description == "committed" and result.height > 0
        detail = http.get(f"/v1/transactions/{result.tx_id}")
        assert detail.status_code == 200
        body = TxDetail.model_validate(detail.json())
        assert (body.height, body.index) == (result.height, result.index)
        assert body.tx["signers"] == ["eurosend"] and body.tx["op"]["kind"] == "Transfer"
        assert body.result["ok"] is True and body.receipt_url == result.receipt_url
        assert http.get(f"/v1/accounts/{account}").json()["balance_minor"] == 48_750
    with ledger.http("mobimo") as mobimo:
        assert mobimo.get(f"/v1/accounts/{payee}").json()["balance"] == "12.50 EUR"


def test_json_body_with_base64_is_accepted(ledger):
    raw = ledger.sign("ubumwe", OpenAccount("ubumwe:json-form", "RWF"))
    with ledger.http("ubumwe") as http:
        response = http.post("/v1/transactions", json={"tx": base64.b64encode(raw).decode()})
        assert response.status_code == 200, response.text
        assert response.json()["tx_id"] == tx_id_of(decode_signed(raw).body).hex()
        problem(http.post("/v1/transactions", json={"tx": "not base64!"}), 400, 3100)
        problem(http.post("/v1/transactions", json={"transaction": "AAAA"}), 400, 3100)
        problem(http.post("/v1/transactions", content=raw, headers={"Content-Type": "text/plain"}), 415, 3000)


def test_ledger_rejections_are_problems_in_a_block(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=1_000)
    payee = ledger.account("mobimo", "EUR")
    rwf = ledger.account("mobimo", "RWF")
    cases = {
        "unknown account": (transfer(payer, "mobimo:no-such-account", 10), 3240),
        "insufficient liquidity": (transfer(payer, payee, 1_001), 4001),
        "wrong currency": (transfer(payer, rwf, 10), 3141),
        "zero amount": (transfer(payer, payee, 0), 3100),
    }
    with ledger.http("eurosend") as http:
        for name, (op, code) in cases.items():
            body = problem(post_tx(http, ledger.sign("eurosend", op)), 422, code)
            assert body["height"] > 0 and body["index"] >= 0 and body["tx_id"], name
            # The rejection is in the chain, with a receipt, and readable like any transaction.
            stored = http.get(f"/v1/transactions/{body['tx_id']}").json()
            assert stored["result"]["code"] == code and stored["height"] == body["height"], name
            assert http.get(body["receipt_url"]).status_code == 200
        assert http.get(f"/v1/accounts/{payer}").json()["balance_minor"] == 1_000  # nothing moved


def test_bad_signature_is_a_ledger_verdict(ledger):
    signed = decode_signed(ledger.sign("eurosend", OpenAccount("eurosend:bad-sig", "EUR")))
    forged = encode(SignedTx(signed.body, (Sig(signed.sigs[0].key, generate_keypair().sign(b"x" * 32)),)))
    with ledger.http("eurosend") as http:
        body = problem(post_tx(http, forged), 422, 3105)
        assert body["height"] > 0
        assert http.get("/v1/accounts/eurosend:bad-sig").status_code == 404


def test_refused_before_ordering(ledger):
    unsigned = encode(SignedTx(decode_signed(ledger.sign("eurosend", OpenAccount("eurosend:x", "EUR"))).body, ()))
    oversized = encode(SignedTx(b"\x00" * (TX_BODY_BYTES_MAX + 4_096), ()))
    with ledger.http("eurosend") as http:
        malformed = problem(post_tx(http, b"\x93not a transaction"), 400, 3101)
        assert "height" not in malformed
        problem(post_tx(http, unsigned), 400, 3105)
        problem(post_tx(http, oversized), 413, 3104)


def test_modified_request_is_409_with_its_place(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=1_000)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http:
        first = post_tx(http, ledger.sign("eurosend", transfer(payer, payee, 10), ref="same-ref-3106"))
        assert first.status_code == 200
        body = problem(post_tx(http, ledger.sign("eurosend", transfer(payer, payee, 20), ref="same-ref-3106")),
                       409, 3106)
        assert body["height"] > first.json()["height"]
        assert http.get(f"/v1/accounts/{payer}").json()["balance_minor"] == 990


def test_resubmission_returns_the_original_outcome(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=1_000)
    payee = ledger.account("mobimo", "EUR")
    committed = ledger.sign("eurosend", transfer(payer, payee, 100))
    rejected = ledger.sign("eurosend", transfer(payer, payee, 5_000))
    with ledger.http("eurosend") as http:
        first = post_tx(http, committed)
        ledger.net.execute("sbk", Issue(ledger.account("sbk", "EUR"), 1, "EUR"))  # the chain moves on
        again = post_tx(http, committed)
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        assert http.get(f"/v1/accounts/{payer}").json()["balance_minor"] == 900  # applied once
        first_rejection = problem(post_tx(http, rejected), 422, 4001)
        second_rejection = problem(post_tx(http, rejected), 422, 4001)
        place = ("tx_id", "height", "index")
        assert [first_rejection[k] for k in place] == [second_rejection[k] for k in place]


def test_empty_body_is_malformed(ledger):
    with ledger.http("eurosend") as http:
        problem(post_tx(http, b""), 400, 3101)


def test_a_duplicate_verdict_answers_with_the_original(ledger):
    """A replayed copy of a committed transaction (3140, as a JetStream resend can produce) is answered
    with where the original lies, so the caller sees one outcome."""
    outcome = ledger.net.execute("eurosend", OpenAccount("eurosend:dup-check", "EUR"))
    replayed = Outcome(outcome.tx_id, int(Code.DUPLICATE), -1, outcome.height + 5, 0)
    assert original(ledger.net.node, replayed) == Outcome(outcome.tx_id, 0, -1, outcome.height, outcome.index)
    assert settle(original(ledger.net.node, replayed), outcome.tx_id)["height"] == outcome.height
