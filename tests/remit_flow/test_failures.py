"""Every way a remittance can fail, through the HTTP API: each ends with a stable code, and where money was
reserved it comes back (balances as before)."""

from __future__ import annotations

import time
import uuid

import httpx

from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS, problem, send_body, verify_all

ACCOUNTS = ("eurosend:eur", "imari-fx:eur", "imari-fx:rwf", "mobimo:rwf", "mobimo:fees-rwf")
SANCTIONED = "Mohammed Youssef Karzanithi"  # an alias of a fictional entry of the sample list


def _quote(http: httpx.Client, number: str, amount_minor: int = 20_000, currency: str = "EUR") -> dict:
    response = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                    "amount_minor": amount_minor, "currency": currency})
    assert response.status_code == 201, response.text
    return response.json()


def test_expired_quote_is_refused_with_3302(flow: Flow) -> None:
    number = flow.wallet()
    with flow.http("eurosend") as http:
        quote = _quote(http, number)
        flow.clock.offset_ms = 61_000  # the quote lives 60 s
        try:
            problem(http.post("/v1/remit/transfers", json=send_body(quote["quote_id"])), 422, 3302)
        finally:
            flow.clock.offset_ms = 0
        problem(http.post("/v1/remit/transfers", json=send_body(str(uuid.uuid4()))), 404, 3205)


def test_sanctions_hit_is_held_then_approved_and_completes(flow: Flow) -> None:
    number = flow.wallet("mobimo", "Mohammed", "Karzanithi")
    officer = flow.service.officer_tokens["eurosend"]
    with flow.http("eurosend") as http, flow.http(token=officer) as compliance:
        quote = _quote(http, number)
        body = send_body(quote["quote_id"], SANCTIONED)
        response = http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS})
        assert response.status_code == 202, response.text
        held = response.json()
        assert held["state"] == "HELD" and held["pending_id"] is None
        reasons = held["compliance"]["decisions"][0]["reasons"]
        assert any(r["code"] == "sanctions_hit" and r["list_reference"] == "ZZi.001" for r in reasons)
        listed = compliance.get("/v1/remit/compliance/held").json()["items"]
        assert body["transfer_id"] in [t["transfer_id"] for t in listed]
        problem(http.post(f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision",
                          json={"decision": "approve"}), 401, 3040)  # the FSP's own token cannot clear holds
        with flow.http("mobimo") as receiving:  # nothing reached the chain: the receiving FSP does not see it
            problem(receiving.get(f"/v1/remit/transfers/{body['transfer_id']}"), 404, 3208)
        decided = compliance.post(f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision",
                                  json={"decision": "approve", "note": "namesake: date of birth differs"})
        assert decided.status_code == 200, decided.text
        final = http.get(f"/v1/remit/transfers/{body['transfer_id']}", params={"wait_ms": WAIT_MS}).json()
        assert final["state"] == "COMMITTED"
        steps = [s["step"] for s in final["timeline"]]
        assert steps[:3] == ["HELD", "APPROVED", "RESERVED"] and steps[-1] == "COMMITTED"
        outcomes = [d["outcome"] for d in final["compliance"]["decisions"]]
        assert outcomes == ["hold", "approve"]
        log = compliance.get("/v1/remit/compliance/decisions").json()["items"]
        assert log[0]["decided_by"] == "officer:eurosend" and log[0]["note"].startswith("namesake")
        problem(compliance.post(f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision",
                                json={"decision": "reject"}), 409, 3143)
        # The receiving FSP sees what it pays and the travel-rule data, never the sending side's screening.
        with flow.http("mobimo") as receiving:
            seen = receiving.get(f"/v1/remit/transfers/{body['transfer_id']}").json()
        assert seen["originator"] == {"name": body["sender"]["name"], "reference": body["sender"]["id"]}
        assert seen["amount_received"] == final["amount_received"] and seen["sending_fsp"] == "eurosend"
        assert "compliance" not in seen and "quote" not in seen and "amount_sent" not in seen
        assert [s["step"] for s in seen["timeline"]][0] == "RESERVED"
        assert "namesake" not in str(seen) and "sanctions_hit" not in str(seen) and "ZZi.001" not in str(seen)


def test_sanctions_hit_rejected_moves_no_money(flow: Flow) -> None:
    number = flow.wallet()
    before = flow.balances(*ACCOUNTS)
    officer = flow.service.officer_tokens["eurosend"]
    with flow.http("eurosend") as http, flow.http(token=officer) as compliance:
        quote = _quote(http, number)
        body = send_body(quote["quote_id"], "Halid Hassan Mithaly")
        assert http.post("/v1/remit/transfers", json=body).status_code == 202
        decided = compliance.post(f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision",
                                  json={"decision": "reject", "note": "confirmed match"})
        assert decided.json()["state"] == "REJECTED"
        again = problem(http.post("/v1/remit/transfers", json=body), 422, 4140)  # the same request: same result
        assert again["transfer"]["state"] == "REJECTED"
        problem(http.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt"), 409, 3100)
    assert flow.balances(*ACCOUNTS) == before


def test_insufficient_liquidity_is_4001_and_a_cap_lets_it_through(flow: Flow) -> None:
    number = flow.wallet()
    holder_token = flow.providers.funding_tokens["eurosend"]
    with flow.http("eurosend") as http, flow.officer("sbk") as bank, flow.http(token=holder_token) as holder:
        available = flow.net.node.account("eurosend:gbp").available_minor
        drained = flow.withdraw("eurosend", "eurosend:gbp", available - 10_000)
        assert drained["state"] == "approved", drained
        assert flow.net.node.account("eurosend:gbp").available_minor == 10_000
        try:
            quote = _quote(http, number, 20_000, "GBP")
            refused = problem(http.post("/v1/remit/transfers", json=send_body(quote["quote_id"])), 422, 4001)
            assert refused["transfer"]["state"] == "ABORTED" and refused["transfer"]["pending_id"]
            too_much = flow.withdraw("eurosend", "eurosend:gbp", 20_000)
            assert (too_much["state"], too_much["code"]) == ("failed", 4001)
            problem(http.put("/funding/v1/caps/eurosend:gbp", json={"cap_minor": 15_000}), 401, 3040)
            problem(holder.put("/funding/v1/caps/eurosend:gbp", json={"cap_minor": 15_000}), 403, 4300)
            capped = bank.put("/funding/v1/caps/eurosend:gbp", json={"cap_minor": 15_000})
            assert capped.status_code == 200, capped.text
            assert flow.net.node.account("eurosend:gbp").available_minor == 25_000
            quote = _quote(http, number, 20_000, "GBP")
            sent = http.post("/v1/remit/transfers", json=send_body(quote["quote_id"]), params={"wait_ms": WAIT_MS})
            assert sent.json()["state"] == "COMMITTED"
            assert flow.balance("eurosend:gbp") == -10_000  # drawn on the credit line
        finally:
            assert flow.deposit("eurosend", "eurosend:gbp", available + 10_000)["state"] == "approved"
            assert bank.put("/funding/v1/caps/eurosend:gbp", json={"cap_minor": 0}).status_code == 200


def test_payout_failure_returns_the_money(flow: Flow) -> None:
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "fail", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),)))
    before = flow.balances(*ACCOUNTS)
    try:
        with flow.http("eurosend") as http:
            quote = _quote(http, number)
            body = send_body(quote["quote_id"])
            failed = problem(http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS}), 422, 5105)
            view = failed["transfer"]
            assert view["state"] == "ABORTED" and "PAYEE_NOT_ALLOWED_TO_RECEIVE" in view["reason"]
            assert view["payout"]["status"] == "FAILED"
            assert [s["step"] for s in view["timeline"]][-2:] == ["PAYOUT_FAILED", "ABORTED"]
            receipt = http.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt").json()
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert flow.balances(*ACCOUNTS) == before
    assert [e["role"] for e in receipt["ledger_receipts"]] == ["reservation", "void"]
    assert [s["signers"] for s in verify_all(receipt, flow.net.node.genesis)] == [["eurosend"], ["mobimo"]]
    assert sim.admin.wallet(number[1:]).balance_minor == 0


def test_expiry_returns_the_money(flow: Flow) -> None:
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "pending"),)))  # never answers
    before = flow.balances(*ACCOUNTS)
    try:
        with flow.http("eurosend") as http:
            quote = _quote(http, number)
            body = send_body(quote["quote_id"], expires_in_ms=2_500)
            started = time.monotonic()
            expired = problem(http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS}), 422, 3303)
            assert time.monotonic() - started >= 2.0
            view = expired["transfer"]
            assert view["state"] == "ABORTED" and view["payout"]["status"] == "UNKNOWN"
            receipt = http.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt").json()
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert flow.balances(*ACCOUNTS) == before
    assert receipt["transfer"]["ledger_status"] == "EXPIRED"
    assert [e["role"] for e in receipt["ledger_receipts"]] == ["reservation"]
    verify_all(receipt, flow.net.node.genesis)


def test_duplicate_and_modified_resubmission(flow: Flow) -> None:
    number = flow.wallet()
    with flow.http("eurosend") as http:
        quote = _quote(http, number)
        body = send_body(quote["quote_id"])
        first = http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS})
        assert first.status_code == 201 and first.json()["state"] == "COMMITTED"
        again = http.post("/v1/remit/transfers", json=body)
        assert again.status_code == 200
        assert {k: again.json()[k] for k in ("transfer_id", "state", "pending_id", "resolve_tx_id")} == \
            {k: first.json()[k] for k in ("transfer_id", "state", "pending_id", "resolve_tx_id")}
        changed = {**body, "receiver": {"name": "Someone Else"}}
        problem(http.post("/v1/remit/transfers", json=changed), 409, 3106)
        other = send_body(quote["quote_id"])  # a new transfer id on a used quote
        problem(http.post("/v1/remit/transfers", json=other), 409, 3146)
    with flow.http("silkpay") as http:  # another FSP reusing the id is a modified request too
        problem(http.post("/v1/remit/transfers", json=body), 409, 3106)
