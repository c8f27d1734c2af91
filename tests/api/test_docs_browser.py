"""The API documentation pages in a real browser (Debian's chromium driven by Playwright) that may reach the
app's own loopback server only: every request to another host is recorded and aborted. Swagger UI and ReDoc
must still render the ledger API's operations, under the pages' Content-Security-Policy."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Route

from tests.api.conftest import Ledger
from tests.browser import chromium, new_context

WAIT_MS = 45_000  # the UIs' bundles are 1-2 MB of script each, parsed slowly on a loaded machine
SUMMARY = "One account's balances"  # an operation of the ledger API (GET /v1/accounts/{account_id})
# ReDoc 2 always shows its vendor's logo from its vendor's CDN: the page's policy (img-src 'self' data:) blocks
# it before any request is made, and ReDoc hides the image.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Watched:
    page: Page
    elsewhere: list[str] = field(default_factory=list)  # every request that would have left the machine
    console_errors: list[str] = field(default_factory=list)  # a policy violation is one


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def watched(browser: Browser, ledger: Ledger) -> Iterator[Watched]:
    context = new_context(browser, ledger.base_url, WAIT_MS)
    try:
        page = context.new_page()
        seen = Watched(page)

        def only_loopback(route: Route) -> None:
            url = route.request.url
            if url.startswith(("http:", "https:", "ws:", "wss:")) and not is_loopback(url):
                seen.elsewhere.append(url)
                route.abort()
            else:
                route.continue_()

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                seen.console_errors.append(message.text)

        page.route("**/*", only_loopback)
        page.on("console", on_console)
        yield seen
    finally:
        context.close()


def test_swagger_ui_renders_the_ledger_api_without_any_other_host(watched: Watched) -> None:
    page = watched.page
    page.goto("/docs")
    operation = page.locator(".opblock-summary-description", has_text=SUMMARY)
    operation.wait_for(state="visible")
    assert page.locator(".opblock").count() > 10
    operation.click()  # expanded: Swagger UI's own code runs, not just its first render
    page.locator(".opblock.is-open .parameters-container").first.wait_for(state="visible")
    assert watched.elsewhere == []
    assert watched.console_errors == []


def test_redoc_renders_the_ledger_api_without_any_other_host(watched: Watched) -> None:
    page = watched.page
    page.goto("/redoc")
    page.get_by_role("heading", name=SUMMARY).first.wait_for(state="visible")
    page.locator("[role=search] input, input[placeholder='Search...']").first.fill("balances")
    page.locator("[data-role='search:results'] li, [role=menuitem]", has_text=SUMMARY).first.wait_for()
    assert watched.elsewhere == []
    assert [error for error in watched.console_errors if f"'{REDOC_LOGO}'" not in error] == []
