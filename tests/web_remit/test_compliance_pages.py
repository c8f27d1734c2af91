"""The compliance officer's page: held transfers with their screening reasons, decisions, the log."""

from __future__ import annotations

from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record


def test_held_transfer_shows_its_reasons_then_approval_completes_it(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "40.00", receiver_name=SANCTIONED)
    assert wait_record(service, transfer_id, ("HELD",)).state.value == "HELD"
    held_page = agent.get(f"/remit/transfers/{transfer_id}").text
    assert 'data-state="HELD"' in held_page and "Held for the compliance officer" in held_page
    assert 'data-stage="HELD" data-status="current"' in held_page

    officer = signed_in("eurosend", "officer")
    page = officer.get("/remit/compliance").text
    assert f'data-held="{transfer_id}"' in page
    assert "<code>ZZi.001</code>" in page and SANCTIONED in page
    decided = officer.post(f"/remit/compliance/transfers/{transfer_id}/decision",
                           data={"decision": "approve", "note": "false positive: <b>namesake</b>"})
    assert decided.status_code == 303 and decided.headers["location"] == f"/remit/compliance?decided={transfer_id}"
    assert wait_record(service, transfer_id).state.value == "COMMITTED"
    after = officer.get(decided.headers["location"]).text
    assert f'data-decided="{transfer_id}"' in after and f'data-held="{transfer_id}"' not in after
    assert "false positive: &lt;b&gt;namesake&lt;/b&gt;" in after  # the note, escaped, in past decisions
    assert "officer:eurosend" in after
    again = officer.post(f"/remit/compliance/transfers/{transfer_id}/decision", data={"decision": "reject"})
    assert again.status_code == 409 and "no longer held" in again.text


def test_rejected_transfer_moves_no_money(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    before_minor = service.node.account("eurosend:eur").balance_minor
    transfer_id = send(agent, DEMO_NUMBER, "45.00", sender_name=SANCTIONED)
    wait_record(service, transfer_id, ("HELD",))
    officer = signed_in("eurosend", "officer")
    response = officer.post(f"/remit/compliance/transfers/{transfer_id}/decision",
                            data={"decision": "reject", "note": "confirmed match"})
    assert response.status_code == 303
    record = wait_record(service, transfer_id)
    assert (record.state.value, record.code) == ("REJECTED", 4140)
    shown = agent.get(f"/remit/transfers/{transfer_id}").text
    assert "Refused by compliance. No money moved." in shown and "confirmed match" in shown
    assert 'data-stage="REJECTED" data-status="failed"' in shown
    assert service.node.account("eurosend:eur").balance_minor == before_minor


def test_another_fsps_officer_cannot_decide(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "41.00", receiver_name=SANCTIONED)
    wait_record(service, transfer_id, ("HELD",))
    other = signed_in("silkpay", "officer")
    assert f'data-held="{transfer_id}"' not in other.get("/remit/compliance").text
    refused = other.post(f"/remit/compliance/transfers/{transfer_id}/decision", data={"decision": "approve"})
    assert refused.status_code == 404
    officer = signed_in("eurosend", "officer")
    assert officer.post(f"/remit/compliance/transfers/{transfer_id}/decision",
                        data={"decision": "maybe"}).status_code == 400
    officer.post(f"/remit/compliance/transfers/{transfer_id}/decision", data={"decision": "reject"})
    assert wait_record(service, transfer_id).state.value == "REJECTED"
