"""The same-origin event stream of a transfer's page: the session cookie, a snapshot, changes, the end."""

from __future__ import annotations

from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, sse_frames, wait_record

APPROVE_TIMEOUT_S = 30.0


def test_a_final_transfer_streams_one_snapshot_and_ends(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "11.00")
    wait_record(service, transfer_id)
    frames = sse_frames(agent, f"/remit/transfers/{transfer_id}/events")
    assert len(frames) == 1 and frames[0]["state"] == "COMMITTED" and frames[0]["final"] is True
    assert 'data-state="COMMITTED"' in frames[0]["html"] and "data-verify-receipt" in frames[0]["html"]


def test_a_held_transfer_streams_its_way_to_committed(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "14.00", receiver_name=SANCTIONED)
    held = wait_record(service, transfer_id, ("HELD",))

    def approve() -> None:  # once the stream has shown the transfer HELD
        service.submit(service.desk.approve("eurosend", held, "checked")).result(APPROVE_TIMEOUT_S)

    frames = sse_frames(agent, f"/remit/transfers/{transfer_id}/events", after_first=approve)
    states = [f["state"] for f in frames]
    assert states[0] == "HELD" and states[-1] == "COMMITTED" and frames[-1]["final"] is True
    assert all(not f["final"] for f in frames[:-1])
    assert 'data-step="APPROVED"' in frames[-1]["html"] and 'data-step="COMMITTED"' in frames[-1]["html"]
