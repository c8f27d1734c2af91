"""Open event streams end when their credential no longer holds, not minutes later when they would have
ended anyway: a transfer page's live status once its session signs out or its member loses the role that
gave the page, and the API's streams (blocks, remittance events) once the member loses the role that let it
see every member's events.

An attack seen: a sending agent signed out (or a member the network took the role from) kept a transfer
page's stream, and a member's API stream kept sending everybody's transfers, until the stream's maximum life.
"""

from __future__ import annotations

import httpx

from inzira.demo.setup import load_api_keys
from tests.hosted import set_roles
from tests.stream_end import STREAM_TIMEOUT, closed_frame, read_until
from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record

APPROVE_TIMEOUT_S = 30.0


def _held(client: httpx.Client, service, amount: str, currency: str = "EUR") -> str:
    """A transfer held by screening: its stream stays open until somebody decides."""
    transfer_id = send(client, DEMO_NUMBER, amount, currency, receiver_name=SANCTIONED)
    wait_record(service, transfer_id, ("HELD",))
    return transfer_id


def _approve(service, fsp: str, transfer_id: str) -> None:
    record = wait_record(service, transfer_id, ("HELD",))
    service.submit(service.desk.approve(fsp, record, "checked")).result(APPROVE_TIMEOUT_S)


def test_a_transfer_stream_ends_when_its_session_signs_out(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = _held(agent, service, "13.00")
    try:
        with agent.stream("GET", f"/remit/transfers/{transfer_id}/events", timeout=STREAM_TIMEOUT) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            read_until(lines, "status")
            assert agent.post("/remit/sign-out").status_code == 303
            closed = closed_frame(lines)
        assert closed["reason"] == "session_ended" and closed["code"] == 3040
    finally:
        _approve(service, "eurosend", transfer_id)


def test_a_transfer_stream_ends_when_its_member_loses_the_role(demo, signed_in, service) -> None:
    before = demo.runtime.node.state.members["silkpay"].roles
    agent = signed_in("silkpay", "agent")
    transfer_id = _held(agent, service, "90.00", "CNY")
    try:
        with agent.stream("GET", f"/remit/transfers/{transfer_id}/events", timeout=STREAM_TIMEOUT) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            read_until(lines, "status")
            set_roles(demo, "silkpay", tuple(r for r in before if r != "sending_fsp"))
            closed = closed_frame(lines)
        assert closed["reason"] == "role_removed" and closed["code"] == 4300
    finally:
        set_roles(demo, "silkpay", before)
        _approve(service, "silkpay", transfer_id)


def test_the_api_streams_end_when_the_member_no_longer_sees_all(demo, base_url: str) -> None:
    """mobimo made an auditor for a while: its streams that carried every member's events end with the role."""
    before = demo.runtime.node.state.members["mobimo"].roles
    token = load_api_keys(demo.data_dir)["mobimo"]
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=STREAM_TIMEOUT) as mobimo:
        for path in ("/v1/events", "/v1/remit/events"):
            set_roles(demo, "mobimo", (*before, "auditor"))
            try:
                with mobimo.stream("GET", path) as stream:
                    assert stream.status_code == 200, path
                    lines = stream.iter_lines()
                    assert next(lines).startswith("retry: ")  # subscribed
                    set_roles(demo, "mobimo", before)
                    closed = closed_frame(lines)
                assert closed["reason"] == "role_removed" and closed["code"] == 4300, path
            finally:
                set_roles(demo, "mobimo", before)
