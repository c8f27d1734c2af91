"""Attacks through the remittance service's event streams: what the receiving FSP hears of the sending side's
compliance work (a new sanctions list screening a transfer in flight), and one member holding every event
stream slot so that nobody else can follow a transfer or long-poll one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import datetime, timezone

import httpx

from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import problem, send_body
from tests.remit_flow.test_notifications import listening
from tests.remit_flow.test_rescreen import NEW_LIST

QUIET_S = 1.0


def _drain(events) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def]
    found = []
    with contextlib.suppress(Exception):
        while True:
            found.append(events.get(timeout=QUIET_S))
    return found


def test_the_receiving_fsp_hears_nothing_of_the_sending_side_s_rescreening(flow: Flow, tmp_path) -> None:
    """The receiving FSP's view of a transfer leaves out the sending side's screening; its event streams (and
    so its webhooks) must too: a RESCREENED step names the list, the match and the sanctioned party."""
    number = flow.wallet("mobimo", "Quorlav", "Zentrikovsky")
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "pending"),)))  # a payout under way
    path = tmp_path / "new-list.xml"
    path.write_text(NEW_LIST.format(now=datetime.now(timezone.utc).isoformat()), encoding="utf-8")
    try:
        with flow.http("eurosend") as http:
            quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                         "amount_minor": 20_000, "currency": "EUR"}).json()
            body = send_body(quote["quote_id"], "Quorlav Zentrikovsky", expires_in_ms=20_000)
            sent = http.post("/v1/remit/transfers", json=body)
            assert sent.status_code == 201 and sent.json()["state"] == "RESERVED", sent.text
        with listening(flow, "mobimo") as payee_events, listening(flow, "eurosend") as sender_events, \
                flow.http("mobimo") as payee, \
                payee.stream("GET", f"/v1/remit/transfers/{body['transfer_id']}/events") as one:
            assert one.status_code == 200
            asyncio.run(flow.service.load_sanctions(path))
            sender_steps = [e["data"]["step"] for kind, e in _drain(sender_events) if kind == "transfer"]
            payee_seen = _drain(payee_events)
            lines = []
            for line in one.iter_lines():  # the transfer's own stream: its snapshot, then its changes
                lines.append(line)
                if line.startswith(": heartbeat"):
                    break
    finally:
        sim.admin.set_behaviour(Behaviour())
        flow.service.screening.replace_list(SanctionsIndex(load_sample_sanctions()))  # for the other tests
        flow.service.screening.freshness = None
    assert "RESCREENED" in sender_steps
    assert [e for kind, e in payee_seen if e.get("transfer_id") == body["transfer_id"]
            and e["data"]["step"] == "RESCREENED"] == []
    frames = [json.loads(line[6:]) for line in lines if line.startswith("data: ")]
    assert frames and all("NEWi.001" not in json.dumps(f) and "RESCREENED" not in json.dumps(f) for f in frames)


def test_one_member_cannot_take_every_event_stream(flow: Flow) -> None:
    """Streams are bounded in all; without a share per member, one member holding them all leaves every other
    member's streams refused and its long polls answered at once."""
    hub = flow.service.hub
    saved = hub.subscribers_max, getattr(hub, "member_subscribers_max", None)
    hub.subscribers_max, hub.member_subscribers_max = 6, 3
    held = 0
    try:
        with contextlib.ExitStack() as stack, flow.http("eurosend") as hog, flow.http("silkpay") as other:
            for _ in range(6):
                stream = stack.enter_context(hog.stream("GET", "/v1/remit/events"))
                if stream.status_code != 200:
                    problem(httpx.Response(stream.status_code, headers=stream.headers, content=stream.read()),
                            503, 2005)
                    break
                held += 1
            with other.stream("GET", "/v1/remit/events") as mine:
                assert mine.status_code == 200
    finally:
        hub.subscribers_max, hub.member_subscribers_max = saved
    assert held == 3


def test_a_long_poll_beyond_the_member_s_share_still_waits(flow: Flow) -> None:
    """A member whose share of event slots is taken still has its `wait_ms` honoured (by looking at the
    transfer instead of hearing of it): answered at once, its client would poll again and again."""
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    sim = flow.sims["mobimo"]
    hub = flow.service.hub
    saved = hub.member_subscribers_max
    hub.member_subscribers_max = 0  # no slot for anyone: every wait must fall back
    sim.admin.set_behaviour(Behaviour(latency_ms=400))  # the payout is still under way when the send returns
    try:
        with flow.http("eurosend") as http:
            quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                         "amount_minor": 20_000, "currency": "EUR"}).json()
            body = send_body(quote["quote_id"], "Aline Mukamana")
            sent = http.post("/v1/remit/transfers", json=body, params={"wait_ms": 15_000})
    finally:
        hub.member_subscribers_max = saved
        sim.admin.set_behaviour(Behaviour())
    assert sent.status_code == 201, sent.text
    assert sent.json()["final"] and sent.json()["state"] == "COMMITTED", sent.json()
