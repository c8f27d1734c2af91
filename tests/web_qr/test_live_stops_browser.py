"""The POS screens in a real browser (Debian's chromium) whose session is signed out elsewhere (another tab,
the cashier's shift over): the server ends their live streams with an ``event: closed`` frame, and each page
says so and stops, instead of reconnecting to be refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import RECORD_EVENT_SOURCES, chromium, live_updates_stop, new_context

WAIT_MS = 10_000
STOPPED = "Live updates stopped: the session has ended: sign in again."


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("screen", ["home", "bill"])
def test_a_pos_screen_says_its_live_updates_stopped_when_signed_out(browser, base_url, customers, api,
                                                                    screen: str) -> None:
    context = new_context(browser, base_url, WAIT_MS)
    try:
        context.add_init_script(RECORD_EVENT_SOURCES)
        page = context.new_page()
        page.goto("/qr/pos/sign-in")
        page.get_by_role("button", name=f"Sign in as {customers.merchant_name}").click()
        page.wait_for_url("**/qr/pos")
        if screen == "bill":
            page.goto(f"/qr/pos/bills/{api.bill(3_500)['bill_id']}")  # open: its stream stays open
        status = "[data-pos-live-status]" if screen == "home" else "[data-live-status]"
        assert live_updates_stop(page, status,
                                 lambda: context.request.post("/qr/pos/sign-out", max_redirects=0)) == STOPPED
    finally:
        context.close()
