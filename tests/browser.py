"""The browser tests' one way to a browser: Debian's chromium (/usr/bin/chromium, not Playwright's download)
driven by Playwright's sync API, headless, and contexts whose every wait is bounded."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")
LAUNCH_TIMEOUT_MS = 30_000


def chromium_path() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    return found


@contextmanager
def chromium(*extra_args: str) -> Iterator[Browser]:
    """A launched chromium, closed on the way out; ``extra_args`` (a fake camera, say) follow the usual ones.
    Playwright's sync API runs an event loop in this thread while it is open."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, *extra_args],
                                              headless=True, timeout=LAUNCH_TIMEOUT_MS)
        try:
            yield launched
        finally:
            launched.close()


def new_context(browser: Browser, base_url: str, wait_ms: int, **options: Any) -> BrowserContext:
    """A fresh context (its own cookies) on ``base_url``, where every wait gives up after ``wait_ms``."""
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(wait_ms)
    return context


# Each EventSource a page opens, kept in window.openedSources: a test can see that the page closed its stream
# (a closed EventSource never reconnects).
RECORD_EVENT_SOURCES = """(() => {
  const Native = window.EventSource;
  if (!Native) return;
  window.openedSources = [];
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      window.openedSources.push(this);
    }
  };
})();"""


def live_updates_stop(page: Page, status: str, sign_out: Callable[[], None]) -> str:
    """``page`` open on a live stream (its ``status`` element reads "live"); once ``sign_out`` has ended the
    session elsewhere, the page must say why its updates stopped and close its stream without asking for it
    again. The page's context runs ``RECORD_EVENT_SOURCES``. The text shown."""
    shown = page.locator(f"{status}.on")
    shown.wait_for()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/events" in request.url else None)
    sign_out()
    stopped = page.locator(status, has_text="Live updates stopped")
    stopped.wait_for()
    assert page.evaluate("window.openedSources.length > 0 && "
                         "window.openedSources.every((s) => s.readyState === EventSource.CLOSED)")
    assert asked == [], f"the page asked for its stream again: {asked}"
    return stopped.inner_text()
