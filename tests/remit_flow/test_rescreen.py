"""Loading a new sanctions list screens held and in-flight transfers again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import send_body

NEW_LIST = """<?xml version="1.0" encoding="UTF-8"?>
<!-- FICTIONAL: a person listed after the transfers below were made. -->
<CONSOLIDATED_LIST dateGenerated="{now}">
<INDIVIDUALS>
<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>QUORLAV</FIRST_NAME><SECOND_NAME>ZENTRIKOVSKY</SECOND_NAME>
<REFERENCE_NUMBER>NEWi.001</REFERENCE_NUMBER><LISTED_ON>2026-12-01</LISTED_ON></INDIVIDUAL>
<INDIVIDUAL><DATAID>2</DATAID><FIRST_NAME>MUHAMMAD</FIRST_NAME><SECOND_NAME>YUSUF</SECOND_NAME>
<THIRD_NAME>QARZANITHI</THIRD_NAME><REFERENCE_NUMBER>NEWi.002</REFERENCE_NUMBER></INDIVIDUAL>
</INDIVIDUALS>
</CONSOLIDATED_LIST>
"""


def _send(flow: Flow, number: str, receiver: str) -> dict:
    with flow.http("eurosend") as http:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                     "amount_minor": 20_000, "currency": "EUR"}).json()
        response = http.post("/v1/remit/transfers", json=send_body(quote["quote_id"], receiver),
                             params={"wait_ms": 2_000})
        assert response.status_code in (201, 202), response.text
        return response.json()


def test_a_new_list_rescreens_held_and_in_flight_transfers(flow: Flow, tmp_path) -> None:
    held = _send(flow, flow.wallet("mobimo", "Mohammed", "Karzanithi"), "Mohammed Youssef Karzanithi")
    assert held["state"] == "HELD"
    number = flow.wallet("mobimo", "Quorlav", "Zentrikovsky")
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "pending"),)))  # a payout under way
    try:
        in_flight = _send(flow, number, "Quorlav Zentrikovsky")
        assert in_flight["state"] == "RESERVED"
        path = tmp_path / "new-list.xml"
        path.write_text(NEW_LIST.format(now=datetime.now(timezone.utc).isoformat()), encoding="utf-8")
        report = asyncio.run(flow.service.load_sanctions(path))
        fresh = _send(flow, flow.wallet("mobimo"), "Quorlav Zentrikovsky")  # new transfers: the new list
    finally:
        sim.admin.set_behaviour(Behaviour())
        flow.service.screening.replace_list(SanctionsIndex(load_sample_sanctions()))  # for the other tests
        flow.service.screening.freshness = None
    assert report.sanctions_list.startswith("UN list of ") and " sha256:" in report.sanctions_list
    assert {held["transfer_id"], in_flight["transfer_id"]} <= set(report.matched)
    # the payout had started at the operator: it cannot be called back, and the officer is told so
    assert in_flight["transfer_id"] in report.too_late
    decisions = flow.service.transfers.decisions(in_flight["transfer_id"])
    assert decisions[-1].outcome == "hold" and decisions[-1].sanctions_list == report.sanctions_list
    assert any(r.list_reference == "NEWi.001" for r in decisions[-1].reasons)
    steps = flow.service.transfers.timeline(in_flight["transfer_id"])
    assert any(s.step == "RESCREENED" and "already under way" in s.detail for s in steps)
    held_decisions = flow.service.transfers.decisions(held["transfer_id"])
    assert [r.list_reference for r in held_decisions[-1].reasons] == ["NEWi.002"]
    assert fresh["state"] == "HELD"


def test_the_account_holder_name_the_receiving_fsp_reports_is_screened(flow: Flow) -> None:
    # the customer types an ordinary name; the operator's wallet is held by a listed person
    number = flow.wallet("mobimo", "Muhammad Yusuf", "Qarzanithi")
    transfer = _send(flow, number, "Jeanne Uwase")
    assert transfer["state"] == "HELD"
    reasons = flow.service.transfers.decisions(transfer["transfer_id"])[0].reasons
    assert [(r.party, r.list_reference) for r in reasons] == [("account_holder", "ZZi.001")]
    assert "Qarzanithi" not in reasons[0].message  # the sending side never sees the holder's name
    assert _send(flow, flow.wallet("mobimo", "Jeanne", "Uwase"), "Jeanne Uwase")["state"] != "HELD"
