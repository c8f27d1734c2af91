"""A net debit cap is credit the holder can spend: raising one to the dual-approval threshold or above takes two
distinct officers of the account's issuer, as issuing that much does. One officer alone files the raise (its
own approval counted) and nothing moves on the ledger; the same officer approving again still counts once; a
second officer's approval has the issuer sign ``SetDebitCap``. Lowering a cap, or a cap under the threshold,
stays one officer's (taking credit away is never the risk)."""

from __future__ import annotations

from typing import Any

import httpx

from inzira.demo.app import Demo
from inzira.ledger.tx import SetDebitCap, decode_body, decode_signed
from tests.funding.conftest import code_of, holder_token, officer_token
from tests.running_demo import demo_http

DUAL_MINOR = 10_000_00  # 10,000 units of a currency with two decimals


def _cap_of(demo: Demo, account: str) -> int:
    found = demo.runtime.node.account(account)  # type: ignore[union-attr]
    assert found is not None
    return found.debit_cap_minor


def _put(demo: Demo, account: str, cap_minor: int, issuer: str = "sbk", n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, issuer, n)) as officer:
        return officer.put(f"/funding/v1/caps/{account}", json={"cap_minor": cap_minor})


def _approve(demo: Demo, request_id: str, issuer: str = "sbk", n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, issuer, n)) as officer:
        return officer.post(f"/funding/v1/requests/{request_id}/approve", json={"note": "credit line agreed"})


def _filed(demo: Demo, account: str, cap_minor: int) -> dict[str, Any]:
    answer = _put(demo, account, cap_minor)
    assert answer.status_code == 202, answer.text
    filed = dict(answer.json())
    assert (filed["kind"], filed["state"], filed["amount_minor"]) == ("cap", "pending", cap_minor)
    assert filed["approvals_needed"] == 2 and [a["officer"] for a in filed["approvals"]] == ["sbk/officer-1"]
    return filed


def test_one_officer_cannot_raise_a_cap_to_the_threshold_alone(demo: Demo) -> None:
    account = "eurosend:eur"
    before = _cap_of(demo, account)
    filed = _filed(demo, account, DUAL_MINOR)
    assert _cap_of(demo, account) == before
    again = _approve(demo, filed["id"])  # the filing officer once more: still one approval
    assert again.status_code == 200 and again.json()["state"] == "pending", again.text
    assert _cap_of(demo, account) == before
    with demo_http(demo, holder_token(demo, "eurosend")) as holder:  # the holder never approves its own credit
        assert holder.post(f"/funding/v1/requests/{filed['id']}/approve", json={"note": ""}).status_code == 403
    assert code_of(_approve(demo, filed["id"], issuer="cbr")) == (404, 3200)  # not cbr's currency
    assert _cap_of(demo, account) == before
    done = _approve(demo, filed["id"], n=2)
    assert done.status_code == 200 and done.json()["state"] == "approved", done.text
    assert _cap_of(demo, account) == DUAL_MINOR
    signed = demo.runtime.node.tx(bytes.fromhex(done.json()["tx_id"]))  # type: ignore[union-attr]
    assert signed is not None
    body = decode_body(decode_signed(signed.raw).body)
    assert body.submitter == "sbk" and body.op == SetDebitCap(account, DUAL_MINOR)
    assert code_of(_approve(demo, filed["id"], n=2)) == (409, 3143)  # carried out once
    assert _put(demo, account, 0).status_code == 200 and _cap_of(demo, account) == 0


def test_a_cap_under_the_threshold_or_a_lower_one_is_one_officers(demo: Demo) -> None:
    account = "silkpay:usd"
    under = _put(demo, account, DUAL_MINOR - 1)
    assert under.status_code == 200 and under.json()["cap_minor"] == DUAL_MINOR - 1, under.text
    assert _cap_of(demo, account) == DUAL_MINOR - 1
    filed = _filed(demo, account, 3 * DUAL_MINOR)
    assert _approve(demo, filed["id"], n=2).json()["state"] == "approved"
    assert _cap_of(demo, account) == 3 * DUAL_MINOR
    for lower in (2 * DUAL_MINOR, 0):  # taking credit away: at once, by one officer
        assert _put(demo, account, lower).status_code == 200 and _cap_of(demo, account) == lower


def test_a_cap_raise_another_officer_rejects_moves_nothing(demo: Demo) -> None:
    account = "eurosend:gbp"
    before = _cap_of(demo, account)
    filed = _filed(demo, account, 5 * DUAL_MINOR)
    with demo_http(demo, officer_token(demo, "sbk", 2)) as officer:
        rejected = officer.post(f"/funding/v1/requests/{filed['id']}/reject", json={"note": "no such agreement"})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected", rejected.text
    assert code_of(_approve(demo, filed["id"], n=2)) == (409, 3143)
    assert _cap_of(demo, account) == before
