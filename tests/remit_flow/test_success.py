"""A remittance end to end through the HTTP API: look-up, quote with disclosure, send, payout, commit,
receipt verified offline, balances moved exactly as quoted."""

from __future__ import annotations

import uuid

from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS, problem, verify_all

FX = "imari-fx"


def test_send_200_eur_is_paid_and_committed(flow: Flow) -> None:
    number = flow.wallet("mobimo", "Jeanne", "Uwase")
    accounts = ("eurosend:eur", f"{FX}:eur", f"{FX}:rwf", "mobimo:rwf", "mobimo:fees-rwf")
    before = flow.balances(*accounts)
    with flow.client("eurosend") as client:
        party = client.lookup(number)
        assert party == {"msisdn": number, "fsp_id": "mobimo", "fsp_name": "MobiMo Mobile Money (demo)",
                         "masked_name": "J***** U****", "currency": "RWF"}
        quote = client.quote(number, "SEND", 20_000, "EUR")
        assert quote["amount_sent"] == {"amount_minor": 20_000, "currency": "EUR", "text": "200.00 EUR"}
        fees = quote["sending_fee"]["amount_minor"], quote["receiving_fee"]["amount_minor"]
        assert fees == (299, 300)  # EuroSend 1.99 EUR + 0.5 %, MobiMo 300 RWF
        assert quote["total_to_pay"]["amount_minor"] == 20_299
        received = quote["amount_received"]["amount_minor"]
        gross = quote["amount_delivered_by_fx"]["amount_minor"]
        assert received + 300 == gross
        assert quote["exchange_rate"]["margin_percent"] == "1.5000"
        cost = quote["total_cost"]["amount_minor"]
        assert cost == 299 + quote["receiving_fee_in_source"]["amount_minor"] + quote["exchange_rate"]["fx_margin"][
            "amount_minor"]
        assert quote["total_cost_percent"] == f"{cost / 200:.2f}"
        assert quote["expires_at_ms"] > quote["created_at_ms"] and len(quote["condition"]) == 43
        transfer_id = str(uuid.uuid4())
        view = client.send(transfer_id, quote["quote_id"], "cust-1", "Marie Dupont", "Jeanne Uwase", wait_ms=WAIT_MS)
        assert view["state"] == "COMMITTED", view
        steps = [s["step"] for s in view["timeline"]]
        assert steps == ["RECEIVED", "RESERVED", "PAYOUT_STARTED", "PAYOUT_SUCCESSFUL", "COMMITTED"]
        assert view["payout"]["status"] == "SUCCESSFUL"
        assert view["compliance"]["outcome"] == "pass"
        receipt = client.receipt(transfer_id)
    after = flow.balances(*accounts)
    assert after["eurosend:eur"] - before["eurosend:eur"] == -20_000
    assert after[f"{FX}:eur"] - before[f"{FX}:eur"] == 20_000
    assert after[f"{FX}:rwf"] - before[f"{FX}:rwf"] == -gross
    assert after["mobimo:rwf"] - before["mobimo:rwf"] == received
    assert after["mobimo:fees-rwf"] - before["mobimo:fees-rwf"] == 300
    assert flow.sims["mobimo"].admin.wallet(number[1:]).balance_minor == received
    summaries = verify_all(receipt, flow.net.node.genesis)
    assert [s["code"] for s in summaries] == [0, 0]
    assert summaries[0]["signers"] == ["eurosend"] and summaries[1]["signers"] == ["mobimo"]
    assert [e["role"] for e in receipt["ledger_receipts"]] == ["reservation", "commit"]
    assert receipt["transfer"]["state"] == "COMMITTED" and receipt["disclosure"]["quote_id"] == quote["quote_id"]
    flow.net.node.state.check_invariants()


def test_receiver_gets_300000_rwf(flow: Flow) -> None:
    number = flow.wallet("ubumwe", "Eric", "Mugisha")
    with flow.client("eurosend") as client:
        quote = client.quote(number, "RECEIVE", 300_000, "RWF", "EUR")
        assert quote["amount_received"]["amount_minor"] == 300_000
        assert quote["receiving_fee"]["amount_minor"] == 500 + 750  # Ubumwe: 500 RWF + 0.25 %
        assert quote["amount_delivered_by_fx"]["amount_minor"] == 301_250
        view = client.send(str(uuid.uuid4()), quote["quote_id"], "cust-2", "Paul Martin", "Eric Mugisha",
                           wait_ms=WAIT_MS)
    assert view["state"] == "COMMITTED"
    assert flow.sims["ubumwe"].admin.wallet(number[1:]).balance_minor == 300_000


def test_unknown_and_invalid_numbers(flow: Flow) -> None:
    with flow.http("eurosend") as http:
        problem(http.get("/v1/remit/parties/MSISDN/+250781234567"), 404, 3204)
        body = {"receiver_msisdn": "+250781234567", "amount_type": "SEND", "amount_minor": 100, "currency": "EUR"}
        problem(http.post("/v1/remit/quotes", json=body), 404, 3204)
        problem(http.get("/v1/remit/parties/MSISDN/+3225551234"), 400, 3100)  # not Rwandan
        problem(http.get("/v1/remit/parties/MSISDN/12"), 400, 3100)
    # A number listed in the directory whose wallet the operator no longer has is not found either.
    number = flow.wallet("mobimo")
    with flow.http("eurosend") as http:
        assert http.get(f"/v1/remit/parties/MSISDN/{number}").status_code == 200
    with flow.http() as anonymous:
        problem(anonymous.get(f"/v1/remit/parties/MSISDN/{number}"), 401, 3040)
