"""Separation of powers in the demo's one-process composition, against the real server (issue 9, 1 and 2).

1. Money from nothing: a member's own token cannot make its balance rise; a deposit is a funding request
   that only the issuer's officers approve, and the issuance then carries the settlement reference on chain.
2. The FX provider's key: no service but the FX provider's own quote service can sign a firm quote; the
   remittance and QR services hold the ports of the members they act for, and nothing else that signs.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from inzira.api.server import serve_in_thread
from inzira.demo.app import Demo
from inzira.demo.setup import demo_keyring, load_api_keys
from inzira.fx.client import FxClient
from inzira.http import HttpProblem
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.fx.wire import quote_json
from inzira.ledger.tx import Issue, decode_body, decode_signed
from inzira.node.signer import wall_clock_ms
from tests.custody import members_signing
from tests.running_demo import HTTP_TIMEOUT_S, demo_http, running_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "custody") as running:
        yield running


def _balance(demo: Demo, account: str) -> int:
    found = demo.runtime.node.account(account)  # type: ignore[union-attr]
    assert found is not None
    return found.balance_minor


def test_a_members_token_creates_no_money(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["eurosend"]
    before = _balance(demo, "eurosend:eur")
    with demo_http(demo, token) as http:
        bare = http.post("/v1/remit/liquidity/deposits", json={"account": "eurosend:eur", "amount_minor": 900000000000})
        assert bare.status_code == 400, bare.text  # a deposit names the payment that funds it
        filed = http.post("/v1/remit/liquidity/deposits", json={
            "account": "eurosend:eur", "amount_minor": 900000000000, "settlement_reference": "fake-wire-1"})
        assert filed.status_code == 202, filed.text
        request = filed.json()
        assert (request["state"], request["issuer"], request["approvals_needed"]) == ("pending", "sbk", 2)
        # The member's ledger token is no credential at the issuer's funding desk, nor its client token a power.
        assert http.post(f"/funding/v1/requests/{request['id']}/approve", json={}).status_code == 401
    with demo_http(demo, demo.providers.funding_tokens["eurosend"]) as holder:  # type: ignore[union-attr]
        refused = holder.post(f"/funding/v1/requests/{request['id']}/approve", json={})
        assert (refused.status_code, refused.json()["code"]) == (403, 4300)
        assert holder.put("/funding/v1/caps/eurosend:eur", json={"cap_minor": 10**12}).status_code == 403
    with demo_http(demo, demo.providers.officer_token("cbr")) as other_issuer:  # type: ignore[union-attr]
        assert other_issuer.post(f"/funding/v1/requests/{request['id']}/approve", json={}).status_code == 404
    with demo_http(demo, demo.providers.officer_token("sbk")) as officer:  # type: ignore[union-attr]
        listed = officer.get("/funding/v1/requests", params={"state": "pending"}).json()["items"]
        assert any(r["id"] == request["id"] and r["holder"] == "eurosend" and r["settlement_reference"] ==
                   "fake-wire-1" for r in listed)
        once = officer.post(f"/funding/v1/requests/{request['id']}/approve", json={"note": "checking"}).json()
        again = officer.post(f"/funding/v1/requests/{request['id']}/approve", json={}).json()
        assert once["state"] == again["state"] == "pending"  # one officer twice is still one approval
        rejected = officer.post(f"/funding/v1/requests/{request['id']}/reject", json={"note": "no such wire"})
        assert rejected.json()["state"] == "rejected"
    assert _balance(demo, "eurosend:eur") == before


def test_a_deposit_the_issuer_approves_carries_its_reference_on_chain(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["silkpay"]
    reference = f"wire-{uuid.uuid4().hex[:12]}"
    before = _balance(demo, "silkpay:usd")
    with demo_http(demo, token) as http:
        request = http.post("/v1/remit/liquidity/deposits", json={
            "account": "silkpay:usd", "amount_minor": 5_000_00, "settlement_reference": reference}).json()
        reused = http.post("/v1/remit/liquidity/deposits", json={
            "account": "silkpay:usd", "amount_minor": 6_000_00, "settlement_reference": reference})
        assert (reused.status_code, reused.json()["code"]) == (409, 3106)  # a payment funds once
    with demo_http(demo, demo.providers.officer_token("sbk")) as officer:  # type: ignore[union-attr]
        approved = officer.post(f"/funding/v1/requests/{request['id']}/approve", json={}).json()
    assert approved["state"] == "approved" and approved["approvals_needed"] == 1, approved
    assert _balance(demo, "silkpay:usd") == before + 5_000_00
    tx = demo.runtime.node.tx(bytes.fromhex(approved["tx_id"]))  # type: ignore[union-attr]
    body = decode_body(decode_signed(tx.raw).body)
    assert body.submitter == "sbk" and body.op == Issue("silkpay:usd", 5_000_00, "USD", reference)


def test_a_withdrawal_is_redeemed_only_with_the_issuers_countersignature(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["eurosend"]
    before = _balance(demo, "eurosend:gbp")
    with demo_http(demo, token) as http:
        request = http.post("/v1/remit/liquidity/withdrawals", json={
            "account": "eurosend:gbp", "amount_minor": 100_00, "reference": "payout-to-eurosend-1"}).json()
    assert request["state"] == "pending" and _balance(demo, "eurosend:gbp") == before
    with demo_http(demo, demo.providers.officer_token("sbk")) as officer:  # type: ignore[union-attr]
        approved = officer.post(f"/funding/v1/requests/{request['id']}/approve", json={}).json()
    assert approved["state"] == "approved", approved
    assert _balance(demo, "eurosend:gbp") == before - 100_00
    signed = decode_signed(demo.runtime.node.tx(bytes.fromhex(approved["tx_id"])).raw)  # type: ignore[union-attr]
    assert decode_body(signed.body).submitter == "eurosend" and len(signed.sigs) == 2


def test_each_service_holds_only_the_keys_of_the_members_it_acts_for(demo: Demo) -> None:
    runtime = demo.runtime
    assert runtime is not None and demo.remit is not None and demo.qr is not None and demo.providers is not None
    assert not hasattr(runtime, "keys") and not hasattr(runtime, "signer")

    def members(root: object) -> set[str]:
        return members_signing(root, runtime.node)

    assert members(demo.remit.service) == {"eurosend", "silkpay", "mobimo", "ubumwe"}
    assert members(demo.qr) == {"ubumwe", "silkpay"}
    assert members(demo.providers.fx_desk) == {"imari-fx"}
    assert members(demo.providers.funding) == {"sbk", "cbr"}


def test_firm_quotes_come_from_the_fx_providers_service(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["eurosend"]
    with demo_http(demo, token) as http:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": "+250788123456", "amount_type": "SEND",
                                                    "amount_minor": 100_00, "currency": "EUR"})
        assert quote.status_code == 201, quote.text
        # The FX service answers only its clients, and only for the client's own member.
        anonymous = http.post("/fx/v1/fxQuotes", json={"for_member": "eurosend", "source_currency": "EUR",
                                                       "target_currency": "RWF", "source_amount_minor": 1})
        assert anonymous.status_code == 401
    with demo_http(demo, demo.providers.fx_tokens["eurosend"]) as client:  # type: ignore[union-attr]
        other = client.post("/fx/v1/fxQuotes", json={"for_member": "silkpay", "source_currency": "CNY",
                                                     "target_currency": "RWF", "source_amount_minor": 100_00})
        assert (other.status_code, other.json()["code"]) == (403, 4300)
        own = client.post("/fx/v1/fxQuotes", json={"for_member": "eurosend", "source_currency": "EUR",
                                                   "target_currency": "RWF", "source_amount_minor": 100_00})
        assert own.status_code == 201 and own.json()["fx"] == "imari-fx"


def test_the_fx_client_refuses_what_the_fx_provider_did_not_sign(demo: Demo) -> None:
    """A quote service that is not the FX provider's (or an answer changed on the way) is refused."""
    runtime = demo.runtime
    assert runtime is not None and demo.providers is not None
    impostor = FxDesk(demo_keyring(demo.data_dir).port(runtime, "eurosend"), RateSource.demo(wall_clock_ms()))
    genuine = demo.providers.fx_desk
    changed: dict[str, object] = {}

    rogue = FastAPI()

    @rogue.post("/fx/v1/fxQuotes", status_code=201)
    async def answer(body: dict) -> dict:  # type: ignore[type-arg]
        desk = impostor if changed.get("impostor") else genuine
        firm = desk.quote(body["for_member"], body["source_currency"], body["target_currency"],
                          now_ms=wall_clock_ms(), source_amount_minor=body.get("source_amount_minor"),
                          ttl_ms=body["ttl_ms"])
        return {**quote_json(firm), **{k: v for k, v in changed.items() if k != "impostor"}}

    served, _ = serve_in_thread(rogue)
    try:
        client = FxClient(runtime.node, "imari-fx", {"eurosend": "any"}, served.base_url)

        def ask() -> object:
            return asyncio.run(client.quote("eurosend", "EUR", "RWF", ttl_ms=60_000, source_amount_minor=100_00))

        assert ask().signed.sig.key in runtime.node.state.members["imari-fx"].keys  # type: ignore[attr-defined]
        for forged in ({"impostor": True}, {"rate": "1700.000000"}, {"target_amount_minor": 10**9},
                       {"margin_percent": "0.0000"}, {"for_member": "silkpay"}, {"signed_quote": "AAAA"}):
            changed.clear()
            changed.update(forged)
            with pytest.raises(HttpProblem) as refused:
                ask()
            assert refused.value.status == 502, forged
        asyncio.run(client.aclose())  # each ask's loop has ended: its pool is closed, not left to the collector
    finally:
        served.stop()


def test_the_issuers_officers_decide_from_their_own_page(demo: Demo) -> None:
    token = load_api_keys(demo.data_dir)["eurosend"]
    reference = f"page-{uuid.uuid4().hex[:10]}"
    with demo_http(demo, token) as http:
        request = http.post("/v1/remit/liquidity/deposits", json={
            "account": "eurosend:eur", "amount_minor": 12_00, "settlement_reference": reference}).json()
    before = _balance(demo, "eurosend:eur")
    with httpx.Client(base_url=demo.url.rstrip("/"), timeout=HTTP_TIMEOUT_S) as browser:
        first = browser.get("/funding").text
        assert 'action="/funding/sign-in"' in first and reference not in first
        assert browser.post("/funding/sign-in", data={"token": token}).status_code == 401  # a member's token: no
        assert browser.post(f"/funding/requests/{request['id']}/approve", data={}).status_code == 401
        officer = demo.providers.officer_token("sbk")  # type: ignore[union-attr]
        signed = browser.post("/funding/sign-in", data={"token": officer}, follow_redirects=True)
        assert signed.status_code == 200 and reference in signed.text and "eurosend" in signed.text
        assert f'data-request="{request["id"]}" data-state="pending"' in signed.text
        decided = browser.post(f"/funding/requests/{request['id']}/approve", data={"note": "wire seen"},
                               follow_redirects=True)
        assert f'data-request="{request["id"]}" data-state="approved"' in decided.text
    assert _balance(demo, "eurosend:eur") == before + 12_00
