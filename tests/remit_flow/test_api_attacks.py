"""Attacks on the remittance service's HTTP surface by hostile members and strangers: crafted payout callback
URLs, tokens of one role on another role's routes, a member reaching another member's quotes, accounts and
numbers, and what the receiving FSP may learn of the sending side (receipts). Each is answered with a
stable 4xx problem and leaves nothing changed.
"""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest

from inzira.money import AMOUNT_MINOR_MAX
from inzira.remit.payout import reference_id_from
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS, problem, send_body

SANCTIONED = "Mohammed Youssef Karzanithi"  # an alias of a fictional entry of the sample list


def _quote(http: httpx.Client, number: str, amount_minor: int = 20_000) -> dict:
    response = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                    "currency": "EUR", "amount_minor": amount_minor})
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("token", ["%C3%A9" * 32, "%E2%82%AC", "%00", "0" * 65, "a%20b"])
def test_crafted_callback_tokens_are_403_never_500(flow: Flow, token: str) -> None:
    """The token is compared with ``hmac.compare_digest``, which raises on non-ASCII text: a stranger's
    percent-encoded byte must be the same 403 as any other wrong token."""
    reference_id = reference_id_from(uuid.uuid4().bytes)
    with httpx.Client(base_url=flow.base_url) as anyone:
        for fsp in ("mobimo", "eurosend", "nobody"):
            answer = anyone.post(f"/v1/remit/payouts/{fsp}/callbacks/{reference_id}/{token}", json={})
            problem(answer, 403, 4300)
        answer = anyone.post(f"/v1/remit/payouts/mobimo/callbacks/%C3%A9{'x' * 500}/{token}", json={})
        problem(answer, 403, 4300)


def test_tokens_of_one_role_are_refused_on_another_role_s_routes(flow: Flow) -> None:
    officer = flow.service.officer_tokens["eurosend"]
    funding_officer = flow.providers.officer_token("sbk")
    transfer_id = str(uuid.uuid4())
    member_routes = [("GET", "/v1/remit/transfers"), ("GET", "/v1/remit/liquidity/positions"),
                     ("GET", "/v1/remit/events"), ("GET", "/v1/remit/webhooks"),
                     ("GET", "/v1/remit/parties/MSISDN/+250788123456")]
    for token in (officer, funding_officer):
        with flow.http(token=token) as http:
            for method, path in member_routes:
                problem(http.request(method, path), 401, 3040)
            problem(http.post("/v1/remit/transfers", json=send_body("q")), 401, 3040)
            problem(http.post("/v1/remit/quotes", json={}), 401, 3040)
    # A member's API token, even the regulator's, never clears holds; another FSP's officer sees none of them.
    for member in ("eurosend", "cbr"):
        with flow.http(member) as http:
            problem(http.get("/v1/remit/compliance/held"), 401, 3040)
            problem(http.post(f"/v1/remit/compliance/transfers/{transfer_id}/decision",
                              json={"decision": "approve"}), 401, 3040)
    # Roles: a regulator does not send, a sending FSP does not read the regulator's reports.
    with flow.http("cbr") as http:
        problem(http.post("/v1/remit/quotes", json={"receiver_msisdn": "+250788123456", "amount_type": "SEND",
                                                     "currency": "EUR", "amount_minor": 100}), 403, 4300)
        problem(http.post("/v1/remit/transfers", json=send_body("q")), 403, 4300)
    with flow.http("eurosend") as http:
        problem(http.get("/v1/remit/regulator/flagged"), 403, 4300)
        problem(http.get("/v1/remit/incoming"), 403, 4300)


def test_a_sending_fsp_cannot_read_or_spend_another_s_quote(flow: Flow) -> None:
    number = flow.wallet()
    with flow.http("eurosend") as owner, flow.http("silkpay") as other:
        quote = _quote(owner, number)
        problem(other.get(f"/v1/remit/quotes/{quote['quote_id']}"), 404, 3205)
        body = send_body(quote["quote_id"])
        problem(other.post("/v1/remit/transfers", json=body), 404, 3205)
        assert owner.get(f"/v1/remit/quotes/{quote['quote_id']}").json()["used_by"] is None
        problem(other.get(f"/v1/remit/transfers/{body['transfer_id']}"), 404, 3208)
        sent = owner.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS})
        assert sent.status_code == 201 and sent.json()["state"] == "COMMITTED", sent.text
        # The same transfer id and body from another FSP is not a resend of it.
        problem(other.post("/v1/remit/transfers", json=body), 409, 3106)
        problem(other.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt"), 404, 3208)


def test_the_receiving_fsp_s_receipt_holds_none_of_the_sending_side_s_pricing(flow: Flow) -> None:
    """The transfer view gives the receiving FSP the payee's share only (no fees, rate or margin of the sending
    side); its receipt of the same transfer must not give it the whole disclosure instead."""
    number = flow.wallet("ubumwe")
    with flow.http("eurosend") as http:
        quote = _quote(http, number, 12_345)
        body = send_body(quote["quote_id"])
        sent = http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS})
        assert sent.status_code == 201 and sent.json()["state"] == "COMMITTED", sent.text
        own = http.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt").json()
    assert own["disclosure"]["sending_fee"] == quote["sending_fee"]
    with flow.http("ubumwe") as http:
        receipt = http.get(f"/v1/remit/transfers/{body['transfer_id']}/receipt")
    assert receipt.status_code == 200, receipt.text
    seen = receipt.json()
    assert seen["disclosure"] is None, seen["disclosure"]
    assert [e["role"] for e in seen["ledger_receipts"]] == ["reservation", "commit"]


def test_members_cannot_move_or_watch_another_member_s_money(flow: Flow) -> None:
    before = flow.balances("eurosend:eur", "silkpay:usd")
    reference = f"atk-{uuid.uuid4().hex}"
    with flow.http("silkpay") as http:
        problem(http.post("/v1/remit/liquidity/withdrawals", json={"account": "eurosend:eur", "amount_minor": 1}),
                403, 4300)
        problem(http.post("/v1/remit/liquidity/deposits", json={
            "account": "eurosend:eur", "amount_minor": 1, "settlement_reference": reference}), 403, 4300)
        problem(http.put("/v1/remit/liquidity/thresholds/eurosend:eur", json={"threshold_minor": 1}), 403, 4300)
        problem(http.post("/v1/remit/liquidity/withdrawals", json={"account": "sbk:issuance-eur",
                                                                   "amount_minor": 1}), 404, 3240)
        problem(http.get("/v1/remit/liquidity/positions", params={"member": "eurosend"}), 403, 4300)
        assert all(a["member"] == "silkpay" for a in http.get("/v1/remit/liquidity/alerts").json()["items"])
    # A member this service does not act for cannot have it file requests in its name either.
    with flow.http("imari-fx") as http:
        problem(http.post("/v1/remit/liquidity/withdrawals", json={"account": "imari-fx:eur", "amount_minor": 1}),
                403, 4300)
        problem(http.post("/v1/remit/liquidity/deposits", json={
            "account": "imari-fx:eur", "amount_minor": 1, "settlement_reference": reference}), 403, 4300)
    assert flow.balances("eurosend:eur", "silkpay:usd") == before


def test_a_receiving_fsp_cannot_unlist_another_s_number(flow: Flow) -> None:
    number = flow.wallet("mobimo")
    with flow.http("ubumwe") as http:
        problem(http.delete(f"/v1/remit/directory/{number}"), 404, 3204)
    with flow.http("eurosend") as http:
        problem(http.delete(f"/v1/remit/directory/{number}"), 403, 4300)
        assert http.get(f"/v1/remit/parties/MSISDN/{number}").json()["fsp_id"] == "mobimo"


@pytest.mark.parametrize(("amount_type", "amount_minor", "currency", "source"), [
    ("SEND", AMOUNT_MINOR_MAX, "EUR", None),  # past any float and the FX provider's book
    ("RECEIVE", AMOUNT_MINOR_MAX, "RWF", "EUR"),
    ("SEND", 1, "EUR", None),  # less than any fee
    ("RECEIVE", 1, "RWF", "EUR"),
    ("SEND", 100, "ZZZ", None),  # no such currency
    ("SEND", 100, "USD", None),  # a currency the sender holds no position in
    ("RECEIVE", 100, "EUR", "EUR"),
    ("RECEIVE", 100, "RWF", "RWF"),
    ("RECEIVE", 100, "RWF", None),
])
def test_crafted_quotes_are_4xx_never_5xx(flow: Flow, amount_type: str, amount_minor: int, currency: str,
                                           source: str | None) -> None:
    number = flow.wallet()
    body = {"receiver_msisdn": number, "amount_type": amount_type, "amount_minor": amount_minor,
            "currency": currency, **({"source_currency": source} if source else {})}
    with flow.http("eurosend") as http:
        answer = http.post("/v1/remit/quotes", json=body)
    assert answer.status_code in (201, 400, 422), answer.text
    if answer.status_code == 201:
        quote = answer.json()
        assert 0 < quote["amount_received"]["amount_minor"] and 0 < quote["amount_sent"]["amount_minor"], quote
    else:
        assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("member", ["cbr", "sbk", "imari-fx", "mobimo"])
def test_only_sending_fsps_look_numbers_up(flow: Flow, member: str) -> None:
    number = flow.wallet()
    with flow.http(member) as http:
        problem(http.get(f"/v1/remit/parties/MSISDN/{number}"), 403, 4300)


def test_a_webhook_is_refused_for_a_member_this_service_does_not_sign_for(flow: Flow) -> None:
    """Deliveries are signed with the subscribing member's own key: a member this service holds no port of
    would be stored and never hear a thing."""
    for member in ("cbr", "imari-fx"):
        with flow.http(member) as http:
            problem(http.post("/v1/remit/webhooks", json={"url": "http://127.0.0.1:9/hook"}), 403, 4300)
            assert http.get("/v1/remit/webhooks").json()["items"] == []
    # Nor may a member remove another member's subscription.
    with flow.http("eurosend") as owner, flow.http("silkpay") as other:
        added = owner.post("/v1/remit/webhooks", json={"url": "http://127.0.0.1:9/hook"})
        assert added.status_code == 201, added.text
        hook_id = added.json()["id"]
        problem(other.delete(f"/v1/remit/webhooks/{hook_id}"), 404, 3200)
        assert hook_id in [h["id"] for h in owner.get("/v1/remit/webhooks").json()["items"]]
        assert owner.delete(f"/v1/remit/webhooks/{hook_id}").status_code == 204


def test_another_fsp_s_officer_cannot_see_or_decide_a_hold(flow: Flow) -> None:
    number = flow.wallet("mobimo", "Mohammed", "Karzanithi")
    with flow.http("eurosend") as http:
        body = send_body(_quote(http, number)["quote_id"], SANCTIONED)
        held = http.post("/v1/remit/transfers", json=body)
        assert held.status_code == 202, held.text
    path = f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision"
    with flow.http(token=flow.service.officer_tokens["silkpay"]) as other:
        assert body["transfer_id"] not in [t["transfer_id"] for t in other.get("/v1/remit/compliance/held").json()
                                           ["items"]]
        problem(other.post(path, json={"decision": "approve", "note": "mine now"}), 404, 3208)
        assert all(d["transfer_id"] != body["transfer_id"]
                   for d in other.get("/v1/remit/compliance/decisions").json()["items"])
    with flow.http(token=flow.service.officer_tokens["eurosend"]) as own:
        problem(own.post(path, json={"decision": "maybe"}), 400, 3100)
        still = flow.service.transfers.get(body["transfer_id"])
        assert still is not None and still.state.value == "HELD"
        assert [d.outcome for d in flow.service.transfers.decisions(body["transfer_id"])] == ["hold"]
        assert own.post(path, json={"decision": "reject"}).json()["state"] == "REJECTED"


def test_one_member_s_thresholds_do_not_use_up_another_s(flow: Flow) -> None:
    """Thresholds are bounded; a member may open accounts without end, so the bound is each member's."""
    liquidity = flow.service.liquidity
    saved = liquidity.settings
    liquidity.settings = dataclasses.replace(saved, thresholds_max=2)
    try:
        with flow.http("eurosend") as hog, flow.http("silkpay") as other:
            for account in ("eurosend:eur", "eurosend:gbp"):
                assert hog.put(f"/v1/remit/liquidity/thresholds/{account}", json={"threshold_minor": 1}).is_success
            answer = other.put("/v1/remit/liquidity/thresholds/silkpay:usd", json={"threshold_minor": 1})
            assert answer.status_code == 200, answer.text
    finally:
        liquidity.settings = saved
        for member, account in (("eurosend", "eurosend:eur"), ("eurosend", "eurosend:gbp"),
                                ("silkpay", "silkpay:usd")):
            with flow.http(member) as http:
                http.put(f"/v1/remit/liquidity/thresholds/{account}", json={"threshold_minor": 0})


@pytest.mark.parametrize("names", [{"sender_name": "Marie Dubois"}, {"receiver_name": "Jeanne Uwase"},
                                   {"sender_name": "Marie Dubois", "receiver_name": "   "},
                                   {"sender_name": "", "receiver_name": "Jeanne Uwase"}])
def test_a_quote_with_one_name_alone_is_refused_not_kept_unusable(flow: Flow, names: dict) -> None:
    """The names given with a quote bind its transfer, which must carry both: a quote with one of them would be
    agreed and then be one no transfer could use."""
    number = flow.wallet()
    with flow.http("eurosend") as http:
        answer = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                      "currency": "EUR", "amount_minor": 20_000} | names)
        problem(answer, 400, 3100)
        assert "sender_name" in answer.json()["detail"]  # an empty one is the schema's refusal, in its words
        both = {"sender_name": "Marie Dubois", "receiver_name": "Jeanne Uwase"}
        answer = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                      "currency": "EUR", "amount_minor": 20_000} | both)
        assert answer.status_code == 201, answer.text


def test_an_issuer_sees_another_member_s_positions_in_its_own_currencies_only(flow: Flow) -> None:
    """sbk issues EUR, USD, CNY, GBP and AED: mobimo's RWF positions (cbr's currency) and the alert thresholds it
    set on them are none of sbk's business; the regulator sees them all."""
    with flow.http("mobimo") as http:
        own = {p["id"]: p["currency"] for p in http.get("/v1/remit/liquidity/positions").json()["positions"]}
    assert "RWF" in own.values(), own
    with flow.http("sbk") as http:
        answer = http.get("/v1/remit/liquidity/positions", params={"member": "mobimo"})
    assert answer.status_code == 200, answer.text
    seen = answer.json()["positions"]
    assert [p["id"] for p in seen] == [a for a, c in own.items() if c in {"EUR", "USD", "CNY", "GBP", "AED"}]
    with flow.http("cbr") as http:
        every = http.get("/v1/remit/liquidity/positions", params={"member": "mobimo"}).json()["positions"]
    assert {p["id"] for p in every} == set(own)
