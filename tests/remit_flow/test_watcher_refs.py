"""A resolution's reference is the submitter's word, not the chain's: a member may sign a commit or void of its own
pending transfer with a reference that names someone else's reservation ("post:<their id>"). Put in the same block
before the real commit, it made the transfer record name the member's transaction as the commit: the sending FSP's
view, receipt link and settlement trail pointed at the wrong transaction."""

from __future__ import annotations

import uuid

import pytest

from inzira.demo.setup import demo_keyring
from inzira.ledger.codes import Code
from inzira.ledger.tx import Leg, Transfer, VoidPending
from inzira.remit import ledger_io
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import Flow, now_ms
from tests.remit_flow.helpers import send_body
from tests.remit_flow.test_paid_unpaid import HeldCommits

WAIT_S = 15.0
DECOY_EXPIRES_IN_MS = 60_000


def test_a_void_whose_reference_names_another_reservation_is_not_taken_for_its_commit(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    number = flow.wallet()
    hostile = demo_keyring(flow.data_dir).port(flow.net, "imari-fx")  # another member
    decoy = hostile.execute(Transfer((Leg("imari-fx:rwf", "mobimo:rwf", 1, "RWF"),),
                                     expires_at_ms=now_ms() + DECOY_EXPIRES_IN_MS), f"test:{uuid.uuid4().hex}")
    assert decoy.code == Code.OK, decoy
    held = HeldCommits(flow.net, monkeypatch)
    with flow.http("eurosend") as http:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                     "amount_minor": 20_000, "currency": "EUR"}).json()
        body = send_body(quote["quote_id"])
        assert http.post("/v1/remit/transfers", json=body).status_code == 201
        wait_until("the commit submitted", lambda: held.count() == 1, timeout_s=WAIT_S)
        [(commit, ticket)] = held.held
        pending_id = bytes.fromhex(http.get(f"/v1/remit/transfers/{body['transfer_id']}").json()["pending_id"])
        crafted = hostile.sign(VoidPending(decoy.tx_id), ledger_io.resolution_ref("post", pending_id))
        # One hand-over: both in one block, the member's void first.
        outcomes = [t.result(WAIT_S) for t in flow.net.orderer.submit_many([crafted, commit])]
        assert [o.code for o in outcomes] == [Code.OK, Code.OK]
        ticket.set_result(outcomes[1])
        final = wait_until("the transfer final", lambda: (v := http.get(
            f"/v1/remit/transfers/{body['transfer_id']}").json())["final"] and v, timeout_s=WAIT_S)
    assert final["state"] == "COMMITTED", final
    assert final["resolve_tx_id"] == outcomes[1].tx_id.hex() != outcomes[0].tx_id.hex()
    committed = next(s for s in final["timeline"] if s["state"] == "COMMITTED")
    assert committed["tx_id"] == outcomes[1].tx_id.hex()
