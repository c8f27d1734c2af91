"""Attacks on the issuer's funding desk (/funding/v1) against the real demo server: hostile holders and officers
trying to fund what is not theirs, to claim one settlement payment twice (also concurrently and under a reference
spelled another way; another holder filing the same reference is test_reference_contest.py), to pass amounts that are not positive integers of minor units, to decide for another
issuer or twice as one officer, to see other holders' requests, and to crash the desk with crafted ids, listings
and bodies. Each refusal leaves the desk's book and the ledger as they were.

Withdrawal, cap and recovery attacks are in test_withdrawal_attacks.py.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.ledger.tx import decode_body, decode_signed
from inzira.funding.desk import PENDING_MAX
from inzira.money import AMOUNT_MINOR_MAX
from tests.funding.conftest import balance, code_of, holder_token, officer_token, reference
from tests.running_demo import demo_http

DUAL_MINOR = 10_000_00  # 10,000 units of a currency with two decimals: two officers


def _deposit(demo: Demo, holder: str, account: str, amount: Any, ref: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, holder)) as client:
        return client.post("/funding/v1/deposits", json={"account": account, "amount_minor": amount,
                                                         "settlement_reference": ref})


def _filed(demo: Demo, holder: str, account: str, amount: int, ref: str | None = None) -> dict[str, Any]:
    answer = _deposit(demo, holder, account, amount, ref or reference())
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def _all_requests(demo: Demo) -> list[Any]:
    return [r.id for r in demo.providers.funding.store.listing(None, None, None, 10_000, None, 0)]  # type: ignore[union-attr]


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_a_holder_cannot_fund_another_members_or_an_issuance_account(demo: Demo) -> None:
    before = _all_requests(demo)
    for account in ("silkpay:usd", "sbk:issuance-eur", "eurosend:nope", "eurosend:eur\x00", "silkpay:usd:x"):
        assert code_of(_deposit(demo, "eurosend", account, 100, reference())) == (404, 3240), account
    assert _all_requests(demo) == before


def test_a_settlement_reference_spelled_another_way_funds_once(demo: Demo) -> None:
    ref = reference().upper()
    first = _filed(demo, "eurosend", "eurosend:eur", 500_00, ref)
    # The same payment claimed by another holder, in another currency of the same issuer: its own request, which
    # the officers see contested (tests/funding/test_reference_contest.py); one of the two funds.
    claimed = _filed(demo, "silkpay", "silkpay:usd", 500_00, ref.lower())
    for spelled in (ref.lower(), f" {ref}", f"{ref} ", f"{ref[:6]} {ref[6:]}", ref.swapcase()):
        again = _deposit(demo, "eurosend", "eurosend:eur", 500_00, spelled)
        assert again.status_code == 202 and again.json()["id"] == first["id"], (spelled, again.text)
        assert code_of(_deposit(demo, "eurosend", "eurosend:eur", 501_00, spelled)) == (409, 3106), spelled
        assert _deposit(demo, "silkpay", "silkpay:usd", 500_00, spelled).json()["id"] == claimed["id"], spelled
    for lookalike in (ref.replace("-", "\u2010"), ref + "\u200b", "\uff37" + ref[1:], ref + "\n"):
        assert code_of(_deposit(demo, "eurosend", "eurosend:eur", 500_00, lookalike)) == (400, 3100)
    assert sorted(r for r in _all_requests(demo) if r in (first["id"], claimed["id"])) == sorted((first["id"],
                                                                                                   claimed["id"]))
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        assert officer.post(f"/funding/v1/requests/{first['id']}/approve", json={}).json()["state"] == "approved"
        for spelled in (ref.lower(), f" {ref}", ref.swapcase()):  # spent now, for every holder and spelling
            assert code_of(_deposit(demo, "imari-fx", "imari-fx:aed", 500_00, spelled)) == (409, 3106), spelled
        assert code_of(officer.post(f"/funding/v1/requests/{claimed['id']}/approve", json={})) == (409, 3106)


def test_one_reference_filed_concurrently_is_one_request(demo: Demo) -> None:
    ref = reference()
    same = _at_once([lambda: _deposit(demo, "silkpay", "silkpay:usd", 70_00, ref) for _ in range(6)])
    assert {a.status_code for a in same} == {202} and len({a.json()["id"] for a in same}) == 1
    ref = reference()
    racing = _at_once([lambda n=n: _deposit(demo, "silkpay", "silkpay:usd", 70_00 + n, ref)  # type: ignore[misc]
                       for n in range(6)])
    assert sorted(a.status_code for a in racing) == [202] + [409] * 5
    assert {a.json()["code"] for a in racing if a.status_code == 409} == {3106}


@pytest.mark.parametrize("amount", [0, -1, -AMOUNT_MINOR_MAX, AMOUNT_MINOR_MAX + 1, 10**40, 1.5, 100.0, True,
                                    " 100", "1_000", "1e2", "١٢", None, [100], {"minor": 100}])
def test_an_amount_that_is_not_a_positive_integer_of_minor_units_is_refused(demo: Demo, amount: Any) -> None:
    before = _all_requests(demo)
    assert code_of(_deposit(demo, "eurosend", "eurosend:eur", amount, reference())) == (400, 3100)
    assert _all_requests(demo) == before


def test_the_largest_amount_needs_two_officers(demo: Demo) -> None:
    request = _filed(demo, "eurosend", "eurosend:eur", AMOUNT_MINOR_MAX)
    assert request["approvals_needed"] == 2 and request["amount_minor"] == AMOUNT_MINOR_MAX
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        assert officer.post(f"/funding/v1/requests/{request['id']}/reject", json={}).status_code == 200


def test_another_issuers_officer_neither_sees_nor_decides(demo: Demo) -> None:
    request = _filed(demo, "mobimo", "mobimo:rwf", 5_000)  # RWF: cbr's
    path = f"/funding/v1/requests/{request['id']}"
    with demo_http(demo, officer_token(demo, "sbk", 2)) as other:
        assert code_of(other.get(path)) == (404, 3200)
        assert code_of(other.post(f"{path}/approve", json={})) == (404, 3200)
        assert code_of(other.post(f"{path}/reject", json={"note": "not mine"})) == (404, 3200)
        assert request["id"] not in [r["id"] for r in other.get("/funding/v1/requests", params={"limit": 200})
                                     .json()["items"]]
    with demo_http(demo, officer_token(demo, "cbr")) as own:
        seen = own.get(path).json()
        assert (seen["state"], seen["approvals"], seen["note"]) == ("pending", [], "")
        approved = own.post(f"{path}/approve", json={}).json()
    assert approved["state"] == "approved"
    tx = demo.runtime.node.tx(bytes.fromhex(approved["tx_id"]))  # type: ignore[union-attr]
    assert decode_body(decode_signed(tx.raw).body).submitter == "cbr"  # signed by the currency's issuer only


def test_one_officer_approving_many_times_at_once_is_one_approval(demo: Demo) -> None:
    request = _filed(demo, "silkpay", "silkpay:usd", DUAL_MINOR)
    path = f"/funding/v1/requests/{request['id']}/approve"
    before = balance(demo, "silkpay:usd")
    with demo_http(demo, officer_token(demo, "sbk", 1)) as one, demo_http(demo, officer_token(demo, "sbk", 2)) as two:
        answers = _at_once([lambda: one.post(path, json={}) for _ in range(6)])
        assert {a.status_code for a in answers} == {200} and {a.json()["state"] for a in answers} == {"pending"}
        assert len(one.get(f"/funding/v1/requests/{request['id']}").json()["approvals"]) == 1
        assert balance(demo, "silkpay:usd") == before
        racing = _at_once([lambda: one.post(path, json={}), lambda: two.post(path, json={}),
                           lambda: two.post(path, json={}), lambda: one.post(path, json={})])
        assert all(a.status_code in (200, 409) for a in racing), [a.text for a in racing]
        final = one.get(f"/funding/v1/requests/{request['id']}").json()
    assert final["state"] == "approved" and len(final["approvals"]) == 2
    assert balance(demo, "silkpay:usd") == before + DUAL_MINOR  # issued once


def test_a_decided_request_is_not_decided_again(demo: Demo) -> None:
    rejected, approved = (_filed(demo, "eurosend", "eurosend:eur", 3_00) for _ in range(2))
    before = balance(demo, "eurosend:eur")
    with demo_http(demo, officer_token(demo, "sbk")) as officer, demo_http(demo, officer_token(demo, "sbk", 2)) as other:
        assert officer.post(f"/funding/v1/requests/{rejected['id']}/reject", json={}).status_code == 200
        assert officer.post(f"/funding/v1/requests/{approved['id']}/approve", json={}).status_code == 200
        for request in (rejected, approved):
            for who in (officer, other):
                for decision in ("approve", "reject"):
                    answer = who.post(f"/funding/v1/requests/{request['id']}/{decision}", json={"note": "again"})
                    assert code_of(answer) == (409, 3143)
        assert officer.get(f"/funding/v1/requests/{rejected['id']}").json()["state"] == "rejected"
    assert balance(demo, "eurosend:eur") == before + 3_00
    # Filing the rejected payment's reference again gives back the rejected request, not a fresh one.
    again = _deposit(demo, "eurosend", "eurosend:eur", 3_00, rejected["settlement_reference"])
    assert again.json()["id"] == rejected["id"] and again.json()["state"] == "rejected"


def test_a_holder_sees_only_its_own_requests(demo: Demo) -> None:
    mine = _filed(demo, "eurosend", "eurosend:eur", 1_00)
    with demo_http(demo, holder_token(demo, "silkpay")) as other:
        assert code_of(other.get(f"/funding/v1/requests/{mine['id']}")) == (404, 3200)
        assert code_of(other.post(f"/funding/v1/requests/{mine['id']}/reject", json={})) == (403, 4300)
        listed = other.get("/funding/v1/requests", params={"limit": 200}).json()["items"]
        assert listed and {r["holder"] for r in listed} == {"silkpay"}


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"limit": -1}, {"limit": 10**40},
                                    {"limit": "1.5"}, {"limit": "abc"}, {"state": "bogus"}, {"state": "pending "}])
def test_a_listing_is_bounded(demo: Demo, params: dict[str, Any]) -> None:
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        assert code_of(officer.get("/funding/v1/requests", params=params)) == (400, 3100)


def test_a_holder_has_a_bounded_number_of_pending_requests_and_listings_are_bounded(demo: Demo) -> None:
    filed: list[dict[str, Any]] = []
    with demo_http(demo, holder_token(demo, "imari-fx")) as holder, demo_http(demo, officer_token(demo, "sbk")) as officer:
        def deposit(ref: str) -> httpx.Response:
            return holder.post("/funding/v1/deposits", json={"account": "imari-fx:aed", "amount_minor": 1,
                                                             "settlement_reference": ref})
        for rounds in range(2):
            for _ in range(PENDING_MAX):
                answer = deposit(reference())
                assert answer.status_code == 202, answer.text
                filed.append(answer.json())
            assert code_of(deposit(reference())) == (422, 3100)  # the queue is full: nothing stored
            assert deposit(filed[-1]["settlement_reference"]).json()["id"] == filed[-1]["id"]  # a retry still is
            if rounds == 0:
                for request in filed:
                    assert officer.post(f"/funding/v1/requests/{request['id']}/reject", json={}).status_code == 200
        assert len(holder.get("/funding/v1/requests", params={"limit": 200}).json()["items"]) == 200
        assert len(holder.get("/funding/v1/requests").json()["items"]) == 50
        assert len(officer.get("/funding/v1/requests", params={"limit": 200}).json()["items"]) == 200
        for request in filed[PENDING_MAX:]:  # leave the others' tests a desk without this queue
            assert officer.post(f"/funding/v1/requests/{request['id']}/reject", json={}).status_code == 200


@pytest.mark.parametrize("request_id", ["..%2F..%2Fetc%2Fpasswd", "fr-" + "0" * 31 + "G", "fr-" + "a" * 2000,
                                        "fr-" + "\u00e4" * 32, "fr-%00" + "0" * 29, "FR-" + "0" * 32])
def test_a_crafted_request_id_is_refused_cleanly(demo: Demo, request_id: str) -> None:
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        for answer in (officer.get(f"/funding/v1/requests/{request_id}"),
                       officer.post(f"/funding/v1/requests/{request_id}/approve", json={}),
                       officer.post(f"/funding/v1/requests/{request_id}/reject", json={})):
            assert answer.status_code in (400, 404), answer.text
            assert answer.json()["code"] in (3002, 3100, 3200)  # no such route, invalid id, no such request


def test_an_oversized_body_is_refused_before_it_is_read(demo: Demo) -> None:
    before = _all_requests(demo)
    with demo_http(demo, holder_token(demo, "eurosend")) as holder:
        huge = holder.post("/funding/v1/withdrawals", json={"signed_tx": "A" * 200_000})
        assert huge.status_code == 413
        padded = holder.post("/funding/v1/deposits", content=b'{"account": "eurosend:eur", "amount_minor": 1, '
                             b'"settlement_reference": "x"' + b" " * 100_000 + b"}",
                             headers={"Content-Type": "application/json"})
        assert padded.status_code == 413
        with demo_http(demo, officer_token(demo, "sbk")) as officer:
            assert officer.post(f"/funding/v1/requests/fr-{'0' * 32}/approve",
                                json={"note": "n" * 501}).status_code == 400
    assert _all_requests(demo) == before


def test_a_decision_sent_without_a_body_says_what_to_send(demo: Demo) -> None:
    """`curl -X POST .../approve` as the README names the route, with no body: "body: Field required" named
    neither the JSON object nor that {} will do. The request stays pending."""
    request = _filed(demo, "eurosend", "eurosend:eur", 5_00)
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        bare = officer.post(f"/funding/v1/requests/{request['id']}/approve")
        assert code_of(bare) == (400, 3100), bare.text
        assert "send a JSON object as the request body" in bare.json()["detail"] and "{}" in bare.json()["detail"]
        assert officer.get(f"/funding/v1/requests/{request['id']}").json()["state"] == "pending"
        assert officer.post(f"/funding/v1/requests/{request['id']}/approve", json={}).json()["state"] == "approved"
