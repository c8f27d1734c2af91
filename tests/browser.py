"""The browser tests' one way to a browser: Debian's chromium (/usr/bin/chromium, not Playwright's download)
driven by Playwright's sync API, headless, and contexts whose every wait is bounded."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

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
