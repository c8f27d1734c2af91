"""Reference squatting, against the real demo server: a member that learns another member's settlement reference
files it first. The rightful holder still files its own request; the issuer's officers see both requests as
contested (the holders do not); the first one approved funds, every other one with that reference, under any
spelling, is refused with 409 3106 and rejected; two approvals racing fund once; the issuance on chain carries
the reference once."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from inzira.demo.app import Demo
from inzira.ledger.tx import Issue, decode_body, decode_signed
from tests.funding.conftest import balance, code_of, holder_token, officer_token, reference
from tests.running_demo import demo_http

DUAL_MINOR = 10_000_00  # 10,000 units of a currency with two decimals: two officers


def _deposit(demo: Demo, holder: str, account: str, amount: int, ref: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, holder)) as client:
        return client.post("/funding/v1/deposits", json={"account": account, "amount_minor": amount,
                                                         "settlement_reference": ref})


def _filed(demo: Demo, holder: str, account: str, amount: int, ref: str) -> dict[str, Any]:
    answer = _deposit(demo, holder, account, amount, ref)
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def _seen(demo: Demo, request_id: str, token: str) -> dict[str, Any]:
    with demo_http(demo, token) as client:
        answer = client.get(f"/funding/v1/requests/{request_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _decide(demo: Demo, request_id: str, decision: str = "approve", n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, "sbk", n)) as officer:
        return officer.post(f"/funding/v1/requests/{request_id}/{decision}", json={"note": "payer checked"})


def _issues_on_chain(demo: Demo, ref: str) -> int:
    """How many committed issuances carry this settlement reference, whatever its spelling."""
    node = demo.runtime.node  # type: ignore[union-attr]
    key = ref.replace(" ", "").upper()
    found = 0
    for height in range(1, node.height + 1):
        stored = node.block(height)
        assert stored is not None
        block, _ = stored
        for raw, result in zip(block.txs, block.results):
            op = decode_body(decode_signed(raw).body).op
            found += isinstance(op, Issue) and op.reference.replace(" ", "").upper() == key and result.code == 0
    return found


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_a_squatter_filing_first_does_not_block_the_rightful_holder(demo: Demo) -> None:
    ref = reference()
    squatter = _filed(demo, "silkpay", "silkpay:usd", 900_00, ref)  # B learnt A's reference and filed first
    rightful = _filed(demo, "eurosend", "eurosend:eur", 900_00, ref.upper())  # A still files its own
    assert rightful["id"] != squatter["id"] and rightful["state"] == "pending"
    assert "contested_by" not in rightful  # a holder learns nothing of other holders' requests
    assert "contested_by" not in _seen(demo, squatter["id"], holder_token(demo, "silkpay"))
    officer = officer_token(demo, "sbk")
    assert _seen(demo, rightful["id"], officer)["contested_by"] == [squatter["id"]]
    assert _seen(demo, squatter["id"], officer)["contested_by"] == [rightful["id"]]
    with demo_http(demo, officer) as client:
        listed = {r["id"]: r for r in client.get("/funding/v1/requests", params={"state": "pending",
                                                                                "limit": 200}).json()["items"]}
    assert listed[rightful["id"]]["contested_by"] == [squatter["id"]]
    before = balance(demo, "eurosend:eur"), balance(demo, "silkpay:usd")
    approved = _decide(demo, rightful["id"]).json()  # the officer checked the payer: A's
    assert approved["state"] == "approved" and approved["contested_by"] == []
    refused = _decide(demo, squatter["id"])
    assert code_of(refused) == (409, 3106) and "settlement reference" in refused.json()["detail"]
    squatted = _seen(demo, squatter["id"], officer)
    assert squatted["state"] == "rejected" and squatted["tx_id"] is None
    assert (balance(demo, "eurosend:eur"), balance(demo, "silkpay:usd")) == (before[0] + 900_00, before[1])
    assert _issues_on_chain(demo, ref) == 1
    # Once funded, the reference is spent for every holder and spelling; the squatter's retry is its own request.
    assert code_of(_deposit(demo, "imari-fx", "imari-fx:aed", 900_00, f" {ref.lower()}")) == (409, 3106)
    assert _deposit(demo, "silkpay", "silkpay:usd", 900_00, ref).json()["id"] == squatter["id"]
    assert _deposit(demo, "eurosend", "eurosend:eur", 900_00, ref).json()["id"] == rightful["id"]


def test_a_contested_reference_needing_two_officers_funds_once(demo: Demo) -> None:
    ref = reference()
    squatter = _filed(demo, "silkpay", "silkpay:usd", DUAL_MINOR, ref)
    rightful = _filed(demo, "eurosend", "eurosend:eur", DUAL_MINOR, ref)
    before = balance(demo, "eurosend:eur"), balance(demo, "silkpay:usd")
    assert _decide(demo, squatter["id"], n=1).json()["state"] == "pending"  # one officer was fooled
    assert _decide(demo, rightful["id"], n=1).json()["state"] == "pending"
    assert _decide(demo, rightful["id"], n=2).json()["state"] == "approved"
    assert code_of(_decide(demo, squatter["id"], n=2)) == (409, 3106)
    assert code_of(_decide(demo, squatter["id"], "reject", n=2)) == (409, 3143)  # already rejected
    assert (balance(demo, "eurosend:eur"), balance(demo, "silkpay:usd")) == (before[0] + DUAL_MINOR, before[1])
    assert _issues_on_chain(demo, ref) == 1


def test_two_approvals_of_one_reference_racing_fund_once(demo: Demo) -> None:
    for _ in range(3):
        ref = reference()
        filed = [_filed(demo, "silkpay", "silkpay:usd", 40_00, ref), _filed(demo, "eurosend", "eurosend:eur",
                                                                            40_00, ref),
                 _filed(demo, "imari-fx", "imari-fx:aed", 40_00, ref)]
        before = sum(balance(demo, a) for a in ("silkpay:usd", "eurosend:eur", "imari-fx:aed"))
        answers = _at_once([lambda r=r, n=n: _decide(demo, r["id"], n=1 + n % 2)  # type: ignore[misc]
                            for n, r in enumerate(filed)])
        assert sorted(a.status_code for a in answers) == [200, 409, 409], [a.text for a in answers]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {3106}
        states = sorted(_seen(demo, r["id"], officer_token(demo, "sbk"))["state"] for r in filed)
        assert states == ["approved", "rejected", "rejected"]
        after = sum(balance(demo, a) for a in ("silkpay:usd", "eurosend:eur", "imari-fx:aed"))
        assert after == before + 40_00
        assert _issues_on_chain(demo, ref) == 1


def test_rejecting_the_squatter_leaves_the_rightful_request_to_fund(demo: Demo) -> None:
    ref = reference()
    squatter = _filed(demo, "silkpay", "silkpay:usd", 5_00, ref)
    rightful = _filed(demo, "eurosend", "eurosend:eur", 5_00, ref)
    assert _decide(demo, squatter["id"], "reject").json()["state"] == "rejected"
    assert _seen(demo, rightful["id"], officer_token(demo, "sbk"))["contested_by"] == []
    assert _decide(demo, rightful["id"]).json()["state"] == "approved"
    assert _issues_on_chain(demo, ref) == 1
