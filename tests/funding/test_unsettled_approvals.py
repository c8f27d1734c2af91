"""Approvals the ledger gave no final verdict for, against the real demo server: the issuer signed and submitted,
and the answer was lost (no verdict in time, the ledger busy) or a refusal that spent nothing (the holder had
used its redemption's transaction reference meanwhile). The request stays approving, holding its reference; an
officer approving it again has the desk submit the very bytes it stored and settle as the ledger did, without
waiting for a restart, and without issuing or redeeming twice. A holder whose redemption's transaction
reference is already spent is refused when it files.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from inzira.demo.app import Demo
from inzira.demo.setup import key_path
from inzira.fx.wire import unb64
from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount, decode_body, decode_signed
from inzira.node.keystore import load_key
from inzira.node.signer import MemberSigner, wall_clock_ms
from tests.funding.conftest import balance, code_of, holder_token, officer_token, redemption, reference
from tests.running_demo import demo_http

LEDGER_TIMEOUT_S = 30.0
DEADLINE_AHEAD_MS = 30_000  # the redemption's: filed and approved well within it, then the chain passes it


def _withdraw(demo: Demo, signed_tx: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, "eurosend")) as client:
        return client.post("/funding/v1/withdrawals", json={"signed_tx": signed_tx})


def _approve(demo: Demo, request_id: str, n: int = 1) -> httpx.Response:
    with demo_http(demo, officer_token(demo, "sbk", n)) as officer:
        return officer.post(f"/funding/v1/requests/{request_id}/approve", json={"note": "paid out"})


def _spend_ref(demo: Demo, tx_ref: str) -> None:
    """The holder, with its own key, commits another transaction under ``tx_ref``."""
    key = load_key(key_path(demo.data_dir, "eurosend"))
    signer = MemberSigner(demo.runtime.chain_id, "eurosend", key)  # type: ignore[union-attr]
    opened = OpenAccount(f"eurosend:t{uuid.uuid4().hex[:12]}", "GBP")
    outcome = demo.runtime.submit(signer.sign(opened, tx_ref)).result(LEDGER_TIMEOUT_S)  # type: ignore[union-attr]
    assert outcome.code == Code.OK, outcome


def _state(demo: Demo, request_id: str) -> dict[str, Any]:
    with demo_http(demo, officer_token(demo, "sbk")) as officer:
        answer = officer.get(f"/funding/v1/requests/{request_id}")
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_redemption_whose_transaction_reference_is_spent_is_refused_when_filed(demo: Demo) -> None:
    tx_ref = f"wd:{uuid.uuid4().hex}"
    _spend_ref(demo, tx_ref)
    signed = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", reference(), tx_ref=tx_ref)
    assert code_of(_withdraw(demo, signed)) == (400, 3106)


def test_an_approval_whose_verdict_was_lost_is_settled_when_approved_again(demo: Demo) -> None:
    with demo_http(demo, holder_token(demo, "silkpay")) as holder:
        filed = holder.post("/funding/v1/deposits", json={"account": "silkpay:cny", "amount_minor": 9_00,
                                                          "settlement_reference": reference()}).json()
    approved = _approve(demo, filed["id"]).json()
    assert approved["state"] == "approved"
    after = balance(demo, "silkpay:cny")
    desk = demo.providers.funding  # type: ignore[union-attr]
    with desk.store._lock:  # the desk submitted the issuance and never heard back
        desk.store._conn.execute("UPDATE requests SET state = 'approving', code = NULL, height = NULL WHERE id = ?",
                                 (filed["id"],))
    with httpx.Client(base_url=demo.url.rstrip("/"), timeout=LEDGER_TIMEOUT_S) as browser:  # the officers' page
        assert browser.post("/funding/sign-in", data={"token": officer_token(demo, "sbk", 2)}).status_code == 303
        assert f'aria-label="Submit {filed["id"]} again"' in browser.get("/funding").text
        assert browser.post(f"/funding/requests/{filed['id']}/approve", data={}).status_code == 303
    again = _state(demo, filed["id"])
    assert (again["state"], again["code"], again["height"]) == ("approved", 0, approved["height"])
    assert balance(demo, "silkpay:cny") == after  # issued once
    assert code_of(_approve(demo, filed["id"])) == (409, 3143)  # settled: decided, not carried out again


def test_a_refusal_that_spent_nothing_fails_once_past_the_deadline_when_approved_again(demo: Demo) -> None:
    """Runs last in this module: it moves the chain's time ahead of the wall clock by up to DEADLINE_AHEAD_MS."""
    tx_ref, ref = f"wd:{uuid.uuid4().hex}", reference()
    signed = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", ref, tx_ref=tx_ref,
                        expires_at_ms=wall_clock_ms() + DEADLINE_AHEAD_MS)
    filed = _withdraw(demo, signed).json()
    _spend_ref(demo, tx_ref)  # after filing: the ledger refuses the countersigned redemption (3106), spending nothing
    before = balance(demo, "eurosend:gbp")
    first = _approve(demo, filed["id"]).json()
    assert first["state"] == "approving", first
    deadline_ms = decode_body(decode_signed(unb64(signed)).body).expires_at_ms
    orderer = demo.runtime.orderer  # type: ignore[union-attr]
    wall = orderer.clock_ms
    orderer.clock_ms = lambda: deadline_ms
    try:
        _spend_ref(demo, f"tick-{uuid.uuid4().hex}")  # a block at the deadline: the redemption can never commit
    finally:
        orderer.clock_ms = wall
    again = _approve(demo, filed["id"], n=2)
    assert again.status_code == 200, again.text
    assert (again.json()["state"], again.json()["code"]) == ("failed", Code.EXPIRED)
    assert _state(demo, filed["id"])["state"] == "failed"
    assert balance(demo, "eurosend:gbp") == before
    refiled = _withdraw(demo, redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", ref))  # the reference is free
    assert refiled.status_code == 202 and refiled.json()["id"] != filed["id"], refiled.text
