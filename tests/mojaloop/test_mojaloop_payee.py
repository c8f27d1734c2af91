"""The payee side against a real demo: eKash payers look up, quote and pay Inzira wallets and merchants."""

from __future__ import annotations

import base64
import hashlib

from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import PAYER_FSP, WALLET, bench, quote_body, transfer_body  # noqa: F401 (fixture)


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
    party = callback.body["party"]
    assert party["partyIdInfo"] == {"partyIdType": "MSISDN", "partyIdentifier": WALLET, "fspId": "inzira"}
    assert party["name"] == "J***** U****" and "personalInfo" not in party


def test_unknown_party_is_an_error_callback(bench):
    assert bench.send("GET", "/parties/MSISDN/250788000001", "parties").status_code == 202
    callback = bench.hub.take("/parties/MSISDN/250788000001/error")
    assert callback.body["errorInformation"]["errorCode"] == "3200"


def test_a_version_1_1_request_is_answered_in_1_1(bench):
    assert bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties", version="1.1").status_code == 202
    callback = bench.hub.take(f"/parties/MSISDN/{WALLET}")
    assert callback.headers["content-type"] == "application/vnd.interoperability.parties+json;version=1.1"


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
