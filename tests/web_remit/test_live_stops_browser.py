"""A transfer page in a real browser (Debian's chromium) whose session is signed out elsewhere: the server
ends its live status with an ``event: closed`` frame, and the page says so and stops, instead of reconnecting
to be refused and showing only "reconnecting…"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import RECORD_EVENT_SOURCES, chromium, live_updates_stop, new_context
from tests.web_remit.helpers import DEMO_NUMBER, SANCTIONED, send, wait_record

WAIT_MS = 10_000
APPROVE_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_a_transfer_page_says_its_live_status_stopped_when_signed_out(browser, base_url, signed_in,
                                                                      service) -> None:
    transfer_id = send(signed_in("eurosend", "agent"), DEMO_NUMBER, "15.00", receiver_name=SANCTIONED)
    record = wait_record(service, transfer_id, ("HELD",))  # held: the page's stream stays open
    context = new_context(browser, base_url, WAIT_MS)
    try:
        context.add_init_script(RECORD_EVENT_SOURCES)
        page = context.new_page()
        page.goto("/remit/sign-in")
        page.get_by_role("button", name="Sign in as sending agent of eurosend").click()
        page.wait_for_url("**/remit/send")
        page.goto(f"/remit/transfers/{transfer_id}")
        shown = live_updates_stop(page, "[data-live-status]",
                                  lambda: context.request.post("/remit/sign-out", max_redirects=0))
        assert shown == "Live updates stopped: the session has ended: sign in again."
    finally:
        context.close()
        service.submit(service.desk.approve("eurosend", record, "checked")).result(APPROVE_TIMEOUT_S)
