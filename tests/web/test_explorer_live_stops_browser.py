"""A member's explorer in a real browser (Debian's chromium) whose session is signed out elsewhere: the server
ends the live blocks stream with an ``event: closed`` frame, and the page says so and stops, instead of
reconnecting to be refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.api.tokens import TokenBook
from inzira.demo.setup import load_api_keys
from inzira.web.assets import mount_static
from inzira.web.explorer import explorer_router
from inzira.web.explorer_access import SIGN_IN_PATH, SIGN_OUT_PATH, MemberAccess
from tests.browser import RECORD_EVENT_SOURCES, chromium, live_updates_stop, new_context

WAIT_MS = 10_000


@pytest.fixture(scope="module")
def member_explorer(demo) -> Iterator[str]:
    """The explorer in member mode (every page needs a member's session) on its own server: its URL."""
    access = MemberAccess(demo.net.node, TokenBook(demo.net.api_tokens))
    app = create_app(demo.net, routers=[explorer_router(demo.net, access=access)])
    mount_static(app)
    server, _ = serve_in_thread(app)
    try:
        yield server.base_url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def test_the_live_blocks_say_they_stopped_when_signed_out(demo, member_explorer: str, browser: Browser) -> None:
    context = new_context(browser, member_explorer, WAIT_MS)
    try:
        context.add_init_script(RECORD_EVENT_SOURCES)
        page = context.new_page()
        page.goto(SIGN_IN_PATH)
        page.locator('input[name="token"]').fill(load_api_keys(demo.net.data_dir)["eurosend"])
        page.locator('input[name="token"]').press("Enter")
        page.wait_for_url(f"{member_explorer}/")
        shown = live_updates_stop(page, "[data-live-status]",
                                  lambda: context.request.post(SIGN_OUT_PATH, max_redirects=0))
        assert shown == "Live updates stopped: the session has ended: sign in again."
    finally:
        context.close()
