"""The receiving FSP's pages show it what the API does (``views.for_receiving_fsp``), no more: the payout, the
beneficiary and the originator, never the sending side's pricing (rate, FX margin, fees, total paid) nor its
compliance decisions. An attack seen: mobimo, signed in to the pages, read eurosend's full disclosure on the
transfer page and in the receipt file, which the API's receipt leaves out for it."""

from __future__ import annotations

import re

from inzira.sim.momo.config import Behaviour, ForcedOutcome
from tests.web_remit.helpers import DEMO_NUMBER, send, sse_frames, wait_record

PRICING_FIELDS = ("rate", "margin_percent", "sending_fee", "total_to_pay", "total_cost", "total_cost_percent",
                  "rates_as_of")


def test_the_receiving_fsp_sees_no_sending_side_pricing(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "10.00")
    record = wait_record(service, transfer_id)
    assert record.state.value == "COMMITTED"
    path = f"/remit/transfers/{transfer_id}"
    own = agent.get(path).text
    assert all(f'data-field="{name}"' in own for name in PRICING_FIELDS)  # the sender's agent sees it all
    assert agent.get(f"{path}/receipt.json").json()["disclosure"] is not None

    payee = signed_in("mobimo", "receiving")
    page = payee.get(path)
    assert page.status_code == 200
    shown = [name for name in PRICING_FIELDS if f'data-field="{name}"' in page.text]
    assert shown == [], shown
    terms = service.transfers.quote(record.quote_id)
    assert terms is not None
    assert terms[0].rate not in page.text  # the rate, even outside the disclosure's fields
    assert not re.search(r"Sending fee|Total to pay|FX margin", page.text, re.I)
    receipt = payee.get(f"{path}/receipt.json")
    assert receipt.status_code == 200
    assert receipt.json()["disclosure"] is None  # as the API's receipt for the receiving FSP
    assert receipt.json()["ledger_receipts"]
    verified = payee.post(f"{path}/verify")
    assert verified.status_code == 200 and terms[0].rate not in verified.text
    frames = sse_frames(payee, f"{path}/events")
    assert frames and all(terms[0].rate not in frame["html"] for frame in frames)


def test_the_receiving_fsp_s_live_panel_hears_nothing_of_the_sending_side_s_rescreening(
        demo, signed_in, service, new_wallet) -> None:
    """The API's stream of a transfer leaves the receiving FSP's out of a RESCREENED step (it names the sending
    side's list and match); the page's stream did not: it pushed a frame naming the step."""
    number = new_wallet("mobimo", "Quorlav", "Zentrikovsky")
    sim = demo.remit.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "pending"),)))  # a payout under way
    try:
        transfer_id = send(signed_in("eurosend", "agent"), number, "12.00", receiver_name="Quorlav Zentrikovsky")
        wait_record(service, transfer_id, ("RESERVED",))

        def screened_again() -> None:
            service.transitions.note(transfer_id, "RESCREENED", "matched NEWi.001 of the new list")
            service.transitions.note(transfer_id, "PAYOUT_PENDING", "the wallet's FSP is still paying")

        frames = sse_frames(signed_in("mobimo", "receiving"), f"/remit/transfers/{transfer_id}/events",
                            after_first=screened_again, frames_max=2)
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert len(frames) == 2 and frames[-1]["step"] == "PAYOUT_PENDING"
    assert all(frame["step"] != "RESCREENED" and "NEWi.001" not in frame["html"] for frame in frames)
