"""The payee side against a real demo: eKash payers look up, quote and pay Inzira wallets and merchants."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import regex
import yaml

from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import PAYER_FSP, WALLET, bench, quote_body, transfer_body  # noqa: F401 (fixture)
from tests.mojaloop.waiting import wait_for


# The FSPIOP 1.1 Name type, read from the Testing Toolkit's copy of the API definition.
TTK_SPEC_1_1 = (Path(__file__).resolve().parents[2] / "tools" / "mojaloop" / "node_modules" / "ml-testing-toolkit"
                / "spec_files" / "api_definitions" / "fspiop_1.1" / "api_spec.yaml")
NAME_1_1 = regex.compile(yaml.safe_load(TTK_SPEC_1_1.read_text())["components"]["schemas"]["Name"]["pattern"])


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_party_lookup_answers_a_served_wallet_with_its_masked_name(bench):
    answer = bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties")
    assert answer.status_code == 202 and answer.reason_phrase == "Accepted"
    callback = bench.hub.take(f"/parties/MSISDN/{WALLET}")
    assert callback.method == "PUT"
    assert callback.headers["fspiop-destination"] == PAYER_FSP
    assert callback.headers["fspiop-source"] == "inzira"
    assert callback.headers["content-type"] == "application/vnd.interoperability.parties+json;version=1.0"
    assert "accept" not in callback.headers
    # Unsigned, a callback still says what it is, as Mojaloop's switch and its quoting collections expect.
    assert (callback.headers["fspiop-uri"], callback.headers["fspiop-http-method"]) == (f"/parties/MSISDN/{WALLET}",
                                                                                       "PUT")
    party = callback.body["party"]
    assert party["partyIdInfo"] == {"partyIdType": "MSISDN", "partyIdentifier": WALLET, "fspId": "inzira"}
    assert party["name"] == "J..... U...." and "personalInfo" not in party


def test_unknown_party_is_an_error_callback(bench):
    assert bench.send("GET", "/parties/MSISDN/250788000001", "parties").status_code == 202
    callback = bench.hub.take("/parties/MSISDN/250788000001/error")
    assert callback.headers["fspiop-uri"] == "/parties/MSISDN/250788000001/error"
    assert callback.body["errorInformation"]["errorCode"] == "3200"


def test_a_version_1_1_request_is_answered_in_1_1(bench):
    assert bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties", version="1.1").status_code == 202
    callback = bench.hub.take(f"/parties/MSISDN/{WALLET}")
    assert callback.headers["content-type"] == "application/vnd.interoperability.parties+json;version=1.1"
    # A 1.1 peer (the Testing Toolkit among them) refuses a party name outside the Name type with 3100.
    assert NAME_1_1.fullmatch(callback.body["party"]["name"]), callback.body


def test_quote_then_transfer_commits_on_inzira_and_releases_the_fulfilment(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    quote = quote_body(amount="1500")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    assert answer["transferAmount"] == {"amount": "1500", "currency": "RWF"}
    assert answer["payeeReceiveAmount"] == {"amount": "1500", "currency": "RWF"}
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    done = bench.hub.take(f"/transfers/{transfer['transferId']}")
    assert done.body["transferState"] == "COMMITTED"
    assert hashlib.sha256(_unb64(done.body["fulfilment"])).digest() == _unb64(answer["condition"])
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before + 1500
    # The same transfer again: the same answer, and no second payment.
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    again = bench.hub.take(f"/transfers/{transfer['transferId']}")
    assert again.body["fulfilment"] == done.body["fulfilment"]
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before + 1500
    # Another body under the same id: 3106.
    changed = dict(transfer, amount={"amount": "1499", "currency": "RWF"})
    assert bench.send("POST", "/transfers", "transfers", changed).status_code == 202
    refused = bench.hub.take(f"/transfers/{transfer['transferId']}/error")
    assert refused.body["errorInformation"]["errorCode"] == "3106"
    # GET answers the current state.
    assert bench.send("GET", f"/transfers/{transfer['transferId']}", "transfers").status_code == 200
    state = bench.hub.take(f"/transfers/{transfer['transferId']}")
    assert state.body["transferState"] == "COMMITTED" and state.body["fulfilment"] == done.body["fulfilment"]
    assert bench.send("GET", f"/quotes/{quote['quoteId']}", "quotes").status_code == 200
    assert bench.hub.take(f"/quotes/{quote['quoteId']}").body["condition"] == answer["condition"]


def test_an_ekash_payer_pays_an_inzira_merchant_by_its_merchant_id(bench):
    merchant = bench.demo.qr_demo
    node = bench.demo.runtime.node
    account = bench.demo.qr.directory.merchant(merchant.merchant_id).account
    before = node.account(account).credits_posted
    assert bench.send("GET", f"/parties/BUSINESS/{merchant.merchant_id}", "parties").status_code == 202
    party = bench.hub.take(f"/parties/BUSINESS/{merchant.merchant_id}").body["party"]
    assert party["partyIdInfo"]["partyIdType"] == "BUSINESS" and NAME_1_1.fullmatch(party["name"])
    quote = quote_body(merchant.merchant_id, amount="2400", id_type="BUSINESS")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    assert node.account(account).credits_posted == before + 2400


def test_a_resent_quote_gets_the_same_answer_and_another_body_under_its_id_3106(bench):
    quote = quote_body(amount="700")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    first = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    assert bench.hub.take(f"/quotes/{quote['quoteId']}").body == first
    assert bench.send("POST", "/quotes", "quotes", dict(quote, amountType="RECEIVE")).status_code == 202
    refused = bench.hub.take(f"/quotes/{quote['quoteId']}/error").body
    assert refused["errorInformation"]["errorCode"] == "3106"


def test_business_refusals_come_back_as_error_callbacks(bench):
    unknown = quote_body("250788000002")
    assert bench.send("POST", "/quotes", "quotes", unknown).status_code == 202
    assert bench.hub.take(f"/quotes/{unknown['quoteId']}/error").body["errorInformation"]["errorCode"] == "3204"
    euros = quote_body(amount={"amount": "10", "currency": "EUR"})
    assert bench.send("POST", "/quotes", "quotes", euros).status_code == 202
    assert bench.hub.take(f"/quotes/{euros['quoteId']}/error").body["errorInformation"]["errorCode"] == "5106"
    assert bench.send("GET", "/quotes/3f1f8a52-8e4b-4c3b-9a55-000000000001", "quotes").status_code == 200
    missing = bench.hub.take("/quotes/3f1f8a52-8e4b-4c3b-9a55-000000000001/error").body
    assert missing["errorInformation"]["errorCode"] == "3205"


def test_a_transfer_past_its_expiration_is_refused_and_nothing_moves(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    quote = quote_body(amount="900")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    late = transfer_body(quote, answer, expiration="2020-01-01T00:00:00.000Z")
    assert bench.send("POST", "/transfers", "transfers", late).status_code == 202
    refused = bench.hub.take(f"/transfers/{late['transferId']}/error").body
    assert refused["errorInformation"]["errorCode"] == "3303"
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before
    unknown = transfer_body(quote, answer, condition="A" * 43, transferId="3f1f8a52-8e4b-4c3b-9a55-000000000002")
    assert bench.send("POST", "/transfers", "transfers", unknown).status_code == 202
    assert bench.hub.take(f"/transfers/{unknown['transferId']}/error").body["errorInformation"]["errorCode"] == "3205"


def test_a_hub_abort_after_the_commit_is_flagged_for_reconciliation(bench):
    quote = quote_body(amount="300")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    patch = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
    answer = bench.send("PATCH", f"/transfers/{transfer['transferId']}", "transfers", patch, drop=("Accept",),
                        headers={"FSPIOP-Source": "switch"})
    assert answer.status_code == 200
    store = bench.demo.gateway.store
    flagged = wait_for(lambda: [t for t in store.to_reconcile() if t.transfer_id == transfer["transferId"]])
    assert flagged[0].state == "COMMITTED" and flagged[0].hub_state == "ABORTED"
    assert "recover" in flagged[0].reconcile


def test_a_payment_beyond_the_gateways_position_is_refused_by_inzira(bench):
    node = bench.demo.runtime.node
    position = node.account(position_account("ekash", "RWF"))
    too_much = str(position.credits_posted - position.debits_posted + 1)
    quote = quote_body(amount=too_much)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    refused = bench.hub.take(f"/transfers/{transfer['transferId']}/error").body
    assert refused["errorInformation"]["errorCode"] == "5001"
    assert bench.demo.gateway.store.transfer(transfer["transferId"]).state == "ABORTED"

