"""Sessions opened by the demo's sign-in buttons cannot push out the sessions a member's people opened with their
own credentials.

An attack seen: a member keeps at most 100 page sessions, its oldest dropped to make room, and the count held
every session of the member alike. Anyone reaching the demo clicking "eurosend, sending agent" a hundred times
signed out eurosend's compliance officer (who signs in with the officer's own token) and its agents who pasted
eurosend's API token. Button sessions now count apart: they push out only one another."""

from __future__ import annotations

import httpx

from inzira.demo.setup import load_api_keys
from inzira.web.remit.sessions import COOKIE_NAME
from inzira.web.sessions import MEMBER_SESSIONS_MAX
from tests.web_remit.helpers import HTTP_TIMEOUT_S


def test_button_sign_ins_never_push_out_sessions_opened_with_a_credential(demo, service, base_url: str) -> None:
    with (httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as officer,
          httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as agent,
          httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as visitor):
        assert officer.post("/remit/sign-in", data={"token": service.officer_tokens["eurosend"]}).status_code == 303
        assert agent.post("/remit/sign-in", data={"token": load_api_keys(demo.data_dir)["eurosend"]}).status_code == 303
        assert visitor.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"}).status_code == 303
        first_button = visitor.cookies[COOKIE_NAME]
        for _ in range(MEMBER_SESSIONS_MAX):
            visitor.cookies.clear()  # a new visitor each time: nothing closes the session before
            assert visitor.post("/remit/sign-in", data={"member": "eurosend", "role": "agent"}).status_code == 303
        assert officer.get("/remit/compliance").status_code == 200
        assert agent.get("/remit/send").status_code == 200
        visitor.cookies.clear()
        visitor.cookies.set(COOKIE_NAME, first_button, path="/remit")
        assert visitor.get("/remit/send").status_code == 303  # the buttons' own oldest made room: still bounded
