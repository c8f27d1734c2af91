"""The receiving FSP's flagged payouts through the HTTP API (``GET /v1/remit/payouts/flagged``) and /metrics:
newest first, a page at a time with a cursor, narrowed by status and reason prefix, counted; bounded inputs
refused with 400 3100; only a receiving FSP may ask (403 4300), and each sees its own payouts only. Before, a
flagged payout had a reason on its record and nothing listed or counted it."""

from __future__ import annotations

import base64
import os
import re

import httpx

from inzira.remit.records import PayoutRecord
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import WAIT_MS, problem, send_body, walk_pages

PAGES_MAX = 100
# Later than anything the other tests of the package record: these are the newest flagged payouts.
FUTURE_MS = 4_000_000_000_000
# Later than any payout another file of the package flags (test_cli_flagged's go up to FUTURE_MS + 300), whatever
# order the files run in on one worker.
NEWEST_MS = FUTURE_MS + 1_000_000
ROUTE = "/v1/remit/payouts/flagged"


def flagged_ids(http: httpx.Client, limit: int = 50, **params: str) -> tuple[list[str], int]:
    """Every page of the listing, following the cursors: the pending ids in order, and the count."""
    seen, last = walk_pages(http, ROUTE, limit, "pending_id", PAGES_MAX, **params)
    return seen, last["count"]


def _flag(flow: Flow, fsp: str, at_ms: int, reason: str = "PAID_AFTER_ABORT_3303", status: str = "SUCCESSFUL"
          ) -> str:
    """A payout in the service's own book, paid (or refused) and flagged as the payout flow would."""
    pending_id = os.urandom(32)
    payout = PayoutRecord(pending_id=pending_id, fsp=fsp, quote_id=f"q-{pending_id.hex()}",
                          reference_id=f"r-{pending_id.hex()[:8]}", msisdn="+250780000001", amount_minor=1_499_000,
                          currency="RWF", status=status, reason="" if status == "SUCCESSFUL" else reason,
                          updated_at_ms=at_ms)
    assert flow.service.payouts.claim(payout) is not None
    if status == "SUCCESSFUL":
        assert flow.service.payouts.flag_unpaid(pending_id, reason, at_ms) is not None
    return pending_id.hex()


def test_flagged_payouts_are_listed_newest_first_a_page_at_a_time_and_counted(flow: Flow) -> None:
    with flow.http("mobimo") as http:
        _, before = flagged_ids(http)
        _, before_3143 = flagged_ids(http, reason="PAID_AFTER_ABORT_3143")
        times = (FUTURE_MS + 30, FUTURE_MS + 10, FUTURE_MS + 20, FUTURE_MS + 20, FUTURE_MS + 20)
        made = [_flag(flow, "mobimo", at_ms, "PAID_AFTER_ABORT_3143" if n % 2 else "PAID_AFTER_ABORT_3303")
                for n, at_ms in enumerate(times)]
        failed = _flag(flow, "mobimo", FUTURE_MS + 25, "PAYEE_NOT_FOUND", status="FAILED")
        expected = [made[0], failed, *sorted(made[2:], reverse=True), made[1]]  # ties: by pending id, descending
        for limit in (1, 2, 50):
            seen, count = flagged_ids(http, limit)
            assert [s for s in seen if s in expected] == expected
            assert len(seen) == len(set(seen)) == count == before + 6
        seen, count = flagged_ids(http, 2, reason="PAID_AFTER_ABORT_3143")
        assert [s for s in seen if s in made] == [made[3], made[1]] and count == before_3143 + 2
        assert failed in flagged_ids(http, status="FAILED")[0]
        assert failed not in flagged_ids(http, status="SUCCESSFUL")[0]
        first = next(i for i in http.get(ROUTE, params={"limit": 200}).json()["items"] if i["pending_id"] == made[0])
        assert first == {"pending_id": made[0], "transfer_id": None, "sending_fsp": None, "status": "SUCCESSFUL",
                         "reason": "PAID_AFTER_ABORT_3303", "recover_off_ledger": True,
                         "reference_id": f"r-{made[0][:8]}", "operator_txn_id": None, "msisdn": "+250780000001",
                         "amount": {"amount_minor": 1_499_000, "currency": "RWF", "text": "1,499,000 RWF"},
                         "flagged_at_ms": FUTURE_MS + 30}


def test_a_failed_payout_of_a_real_transfer_is_listed_with_its_transfer(flow: Flow) -> None:
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "fail", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),)))
    try:
        with flow.http("eurosend") as http:
            quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                         "amount_minor": 20_000, "currency": "EUR"}).json()
            body = send_body(quote["quote_id"])
            view = problem(http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS}), 422, 5105)
    finally:
        sim.admin.set_behaviour(Behaviour())
    with flow.http("mobimo") as http:
        items = http.get(ROUTE, params={"status": "FAILED", "reason": "PAYEE_NOT_ALLOWED"}).json()["items"]
    found = [i for i in items if i["transfer_id"] == body["transfer_id"]]
    assert len(found) == 1 and found[0]["pending_id"] == view["transfer"]["pending_id"]
    assert found[0]["sending_fsp"] == "eurosend" and found[0]["reason"] == "PAYEE_NOT_ALLOWED_TO_RECEIVE"
    assert found[0]["recover_off_ledger"] is False
    assert found[0]["amount"] == view["transfer"]["amount_received"]


def test_inputs_out_of_bounds_are_refused_with_3100(flow: Flow) -> None:
    with flow.http("mobimo") as http:
        for params in ({"limit": 0}, {"limit": 201}, {"limit": "ten"}, {"limit": "１０"}, {"status": "PENDING"},
                       {"reason": "PAID%"}, {"reason": "x" * 65}, {"cursor": "not a cursor!"}, {"cursor": "x" * 201}):
            problem(http.get(ROUTE, params=params), 400, 3100)
        for made_up in ("12:zz-not-hex", "x:00ff", "12:"):  # the right shape, not a cursor this API gave out
            cursor = base64.urlsafe_b64encode(made_up.encode()).decode()
            problem(http.get(ROUTE, params={"cursor": cursor}), 400, 3100)
        assert len(http.get(ROUTE, params={"limit": 200}).json()["items"]) <= 200


def test_only_a_receiving_fsp_asks_and_each_sees_its_own(flow: Flow) -> None:
    with flow.http() as anonymous:
        problem(anonymous.get(ROUTE), 401, 3040)
    for member in ("eurosend", "cbr", "imari-fx"):  # a sending FSP, the regulator, the FX provider
        with flow.http(member) as http:
            refused = problem(http.get(ROUTE), 403, 4300)
            assert "receiving fsp" in refused["detail"]
    with flow.http("ubumwe") as ubumwe, flow.http("mobimo") as mobimo:
        theirs, ubumwe_before = flagged_ids(ubumwe)
        mine = _flag(flow, "mobimo", FUTURE_MS + 40)
        assert mine in flagged_ids(mobimo)[0]
        seen, count = flagged_ids(ubumwe)
        assert mine not in seen and count == ubumwe_before and seen == theirs
        own = _flag(flow, "ubumwe", NEWEST_MS)
        assert flagged_ids(ubumwe)[0][0] == own and own not in flagged_ids(mobimo)[0]


def test_metrics_count_the_flagged_payouts_of_each_fsp(flow: Flow) -> None:
    def gauge(http: httpx.Client, fsp: str, status: str) -> int:
        text = http.get("/metrics").text
        found = re.search(rf'^inzira_remit_payouts_flagged\{{fsp="{fsp}",status="{status}"\}} (\S+)$', text, re.M)
        assert found, text[-2_000:]
        return int(float(found.group(1)))

    with flow.http("mobimo") as http, flow.http() as scraper:
        _flag(flow, "mobimo", FUTURE_MS + 50)
        assert gauge(scraper, "mobimo", "SUCCESSFUL") == flagged_ids(http, status="SUCCESSFUL")[1]
        assert gauge(scraper, "mobimo", "FAILED") == flagged_ids(http, status="FAILED")[1]
        with flow.http("ubumwe") as ubumwe:
            assert gauge(scraper, "ubumwe", "SUCCESSFUL") == flagged_ids(ubumwe, status="SUCCESSFUL")[1]
