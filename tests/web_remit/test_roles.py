"""Each page checks the role of the session: others get a friendly 403 page (data endpoints a bare 403)."""

from __future__ import annotations

import pytest

from tests.web_remit.helpers import DEMO_NUMBER, send, wait_record

PAGES = {"agent": "/remit/send", "receiving": "/remit/incoming", "officer": "/remit/compliance",
         "regulator": "/remit/regulator"}
MEMBERS = {"agent": "eurosend", "receiving": "mobimo", "officer": "eurosend", "regulator": "cbr"}


@pytest.mark.parametrize("role", sorted(PAGES))
def test_each_page_answers_its_own_role_and_refuses_the_others(signed_in, role: str) -> None:
    client = signed_in(MEMBERS[role], role)
    for page_role, path in PAGES.items():
        response = client.get(path)
        if page_role == role:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, (role, path)
            assert "This page is not for you" in response.text and f'href="{PAGES[role]}"' in response.text


def test_posts_check_the_role_too(signed_in) -> None:
    receiving = signed_in("mobimo", "receiving")
    assert receiving.post("/remit/send/lookup", data={"msisdn": DEMO_NUMBER}).status_code == 403
    agent = signed_in("eurosend", "agent")
    decision = agent.post("/remit/compliance/transfers/00000000-0000-4000-8000-000000000000/decision",
                          data={"decision": "approve"})
    assert decision.status_code == 403


def test_transfers_are_seen_only_by_those_they_concern(signed_in, service) -> None:
    agent = signed_in("eurosend", "agent")
    transfer_id = send(agent, DEMO_NUMBER, "10.00")
    wait_record(service, transfer_id)
    path = f"/remit/transfers/{transfer_id}"
    for member, role, status in [("eurosend", "agent", 200), ("mobimo", "receiving", 200), ("cbr", "regulator", 200),
                                 ("eurosend", "officer", 200), ("silkpay", "agent", 404),
                                 ("ubumwe", "receiving", 404), ("silkpay", "officer", 404)]:
        client = signed_in(member, role)
        assert client.get(path).status_code == status, (member, role)
        assert client.get(f"{path}/receipt.json").status_code == status, (member, role)
        if status == 404:
            assert client.get(f"{path}/events").status_code == 404


def test_data_endpoints_need_a_session(anonymous) -> None:
    path = "/remit/transfers/00000000-0000-4000-8000-000000000000"
    assert anonymous.get(f"{path}/events").status_code == 401
    assert anonymous.get(f"{path}/receipt.json").status_code == 401
    assert anonymous.get(path).status_code == 303
