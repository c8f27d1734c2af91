"""The card acquirer simulator on its own, over HTTP on loopback: its test cards, its merchant API behind the
secret key, its admin API behind the admin token, its refusals, and its books across a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira.http import HttpProblem
from inzira.sim.card import Behaviour, CardSimConfig, RunningCardSim, serve
from inzira.sim.card.cards import brand_of, decide, luhn_ok

WAIT_S = 10.0


@pytest.fixture
def sim() -> Iterator[RunningCardSim]:
    with serve(CardSimConfig()) as running:
        yield running


@pytest.fixture
def merchant(sim: RunningCardSim) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers={"Authorization": f"Bearer {sim.config.api_key}"}) as client:
        yield client


def open_session(merchant: httpx.Client, reference: str, **extra: Any) -> dict[str, Any]:
    answer = merchant.post("/v1/sessions", json={"amount_minor": 100_00, "currency": "CNY", "reference": reference,
                                                 **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()


def pay(session: dict[str, Any], number: str, expiry: str = "12/39", cvc: str = "123") -> httpx.Response:
    return httpx.post(session["card_form_url"], data={"card_number": number, "expiry": expiry, "cvc": cvc})


@pytest.mark.parametrize(("number", "expiry", "cvc", "outcome", "reason"), [
    ("4242 4242 4242 4242", "12/39", "123", "authorized", None),
    ("5555555555554444", "01/2040", "1234", "authorized", None),
    ("6200000000000005", "12/39", "123", "authorized", None),
    ("4000000000000002", "12/39", "123", "declined", "card_declined"),
    ("4000000000009995", "12/39", "123", "declined", "insufficient_funds"),
    ("4000000000000069", "12/39", "123", "declined", "expired_card"),
    ("4000000000000408", "12/39", "123", "pending", None),
    ("4242424242424241", "12/39", "123", "declined", "incorrect_number"),  # fails the Luhn check
    ("4242", "12/39", "123", "declined", "incorrect_number"),
    ("４２４２４２４２４２４２４２４２", "12/39", "123", "declined", "incorrect_number"),  # full-width digits
    ("4242424242424242", "13/39", "123", "declined", "invalid_expiry"),
    ("4242424242424242", "12/39", "12", "declined", "invalid_cvc"),
    ("4242424242424242", "04/26", "123", "declined", "expired_card"),
    ("4111111111111111", "12/39", "123", "declined", "not_a_test_card"),
])
def test_cards_decide(number: str, expiry: str, cvc: str, outcome: str, reason: str | None) -> None:
    decision = decide(number, expiry, cvc, 2026, 5)
    assert (decision.outcome, decision.reason) == (outcome, reason)


def test_card_numbers() -> None:
    assert luhn_ok("4242424242424242") and not luhn_ok("4242424242424241")
    assert [brand_of(n) for n in ("4242", "5555", "2221", "6200", "3782")] == [
        "visa", "mastercard", "mastercard", "unionpay", "card"]


def test_the_merchant_api_needs_the_secret_key(sim: RunningCardSim) -> None:
    body = {"amount_minor": 1, "currency": "CNY", "reference": "r1"}
    assert httpx.post(f"{sim.base_url}/v1/sessions", json=body).status_code == 401
    wrong = httpx.post(f"{sim.base_url}/v1/sessions", json=body, headers={"Authorization": "Bearer sk_wrong"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
    assert httpx.get(f"{sim.base_url}/v1/sessions/cs_{'0' * 32}").status_code == 401


def test_the_admin_api_needs_its_token(sim: RunningCardSim) -> None:
    for method, path in (("GET", "/admin/behaviour"), ("PUT", "/admin/behaviour"), ("GET", "/admin/stats"),
                         ("PUT", "/admin/webhook"), ("GET", "/admin/callbacks")):
        assert httpx.request(method, f"{sim.base_url}{path}", json={}).status_code == 401
        assert httpx.request(method, f"{sim.base_url}{path}", json={},
                             headers={"Authorization": f"Bearer {sim.config.api_key}"}).status_code == 401


def test_a_session_per_reference(merchant: httpx.Client) -> None:
    first = open_session(merchant, "top_1", return_url="http://127.0.0.1:9/back")
    again = merchant.post("/v1/sessions", json={"amount_minor": 100_00, "currency": "CNY", "reference": "top_1",
                                                "return_url": "http://127.0.0.1:9/back"})
    assert again.status_code == 200 and again.json()["id"] == first["id"]  # the merchant's retry: the same one
    other = merchant.post("/v1/sessions", json={"amount_minor": 100_01, "currency": "CNY", "reference": "top_1"})
    assert other.status_code == 409 and other.json()["error"]["code"] == "reference_reused"


@pytest.mark.parametrize(("body", "code"), [
    ({"amount_minor": 0, "currency": "CNY", "reference": "r"}, "invalid_amount"),
    ({"amount_minor": 2**70, "currency": "CNY", "reference": "r"}, "invalid_amount"),
    ({"amount_minor": 1, "currency": "XXX", "reference": "r"}, "invalid_currency"),
    ({"amount_minor": 1, "currency": "CNY", "reference": "no spaces"}, "invalid_reference"),
    ({"amount_minor": 1, "currency": "CNY", "reference": "r", "return_url": "javascript:x"}, "invalid_url"),
    ({"amount_minor": 1, "currency": "CNY", "reference": "r", "return_url": "http://u:p@h/"}, "invalid_url"),
    ({"amount_minor": 1, "currency": "CNY", "reference": "r", "expires_in_ms": 10}, "invalid_expiry"),
    ({"amount_minor": 1, "currency": "CNY", "reference": "r", "extra": 1}, "invalid_body"),
])
def test_bad_sessions_are_refused(merchant: httpx.Client, body: dict[str, Any], code: str) -> None:
    answer = merchant.post("/v1/sessions", json=body)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code


def test_a_payment_is_decided_once_and_refunded_once(merchant: httpx.Client) -> None:
    session = open_session(merchant, "top_2")
    assert pay(session, "4242424242424242").status_code == 200  # no return_url: a page says what happened
    assert pay(session, "4000000000000002").status_code == 200  # a second card changes nothing
    paid = merchant.get(f"/v1/sessions/{session['id']}").json()
    assert paid["status"] == "authorized" and paid["card"] == {"brand": "visa", "last4": "4242"}
    declined = open_session(merchant, "top_3")
    pay(declined, "4000000000000002")
    declined_view = merchant.get(f"/v1/sessions/{declined['id']}").json()
    refused = merchant.post("/v1/refunds", json={"payment_id": declined_view["payment_id"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "not_refundable"
    for _ in range(2):
        refund = merchant.post("/v1/refunds", json={"payment_id": paid["payment_id"]})
        assert refund.status_code == 200 and refund.json()["status"] == "refunded"
    assert merchant.post("/v1/refunds", json={"payment_id": "cp_" + "f" * 24}).status_code == 404
    assert httpx.post(f"{merchant.base_url}/pay/cs_{'0' * 32}", data={}).status_code == 404


def test_behaviour_and_webhook_targets_are_checked(sim: RunningCardSim) -> None:
    with pytest.raises(HttpProblem) as refused:
        sim.admin.set_webhook_url("http://169.254.169.254/latest")  # only the configured (loopback) hosts
    assert refused.value.status == 400
    for bad in ({"callback_copies": 0}, {"auth_timeout_ms": 0}, {"decline_reason": "nope"}, {"forced": "maybe"}):
        answer = httpx.put(f"{sim.base_url}/admin/behaviour", json=bad,
                           headers={"Authorization": f"Bearer {sim.config.admin_token}"})
        assert answer.status_code == 400, bad


def test_books_and_pending_timeouts_survive_a_restart(tmp_path: Path) -> None:
    config = CardSimConfig(db_path=str(tmp_path / "card.db"), behaviour=Behaviour(auth_timeout_ms=200))
    headers = {"Authorization": f"Bearer {config.api_key}"}
    with serve(config) as first:
        with httpx.Client(base_url=first.base_url, headers=headers) as merchant:
            paid, pending = open_session(merchant, "top_4"), open_session(merchant, "top_5")
            pay(paid, "4242424242424242")
            pay(pending, "4000000000000408")
            assert merchant.get(f"/v1/sessions/{pending['id']}").json()["status"] == "pending"
    with serve(config) as again, httpx.Client(base_url=again.base_url, headers=headers) as merchant:
        assert merchant.get(f"/v1/sessions/{paid['id']}").json()["status"] == "authorized"
        deadline = time.monotonic() + WAIT_S
        while (status := merchant.get(f"/v1/sessions/{pending['id']}").json()["status"]) == "pending":
            assert time.monotonic() < deadline, "the pending payment never timed out"
            time.sleep(0.02)
        assert status == "timed_out"
