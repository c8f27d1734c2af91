"""The Testing Toolkit fixture itself: it starts, takes its config, runs a collection and reports failures."""

from __future__ import annotations

import time

from tests.mojaloop.conftest import golden_path_inputs
from tests.mojaloop.ttk import TestingToolkit, free_port

NOBODY_CALLBACK_TIMEOUT_MS = 2000
STALE_TIMER_MARGIN_S = 0.5


def test_the_toolkit_passes_the_golden_path_against_itself(ttk: TestingToolkit) -> None:
    """Pointed at its own FSPIOP port the toolkit plays both sides: every assertion must pass."""
    ttk.configure(CALLBACK_ENDPOINT=ttk.fspiop_url)
    assert ttk.user_config()["CALLBACK_ENDPOINT"] == ttk.fspiop_url
    result = ttk.run_file("p2p_happy_path.json", golden_path_inputs())
    assert result.ok, result.failures
    assert (result.passed, result.total) == (28, 28)
    callback = result.request("Send-quote")["callback"]
    assert callback["body"]["condition"]


def test_a_collection_against_nobody_fails_with_its_reasons(ttk: TestingToolkit) -> None:
    ttk.configure(CALLBACK_ENDPOINT=f"http://127.0.0.1:{free_port()}", CALLBACK_TIMEOUT=NOBODY_CALLBACK_TIMEOUT_MS)
    try:
        result = ttk.run_file("p2p_happy_path.json", golden_path_inputs())
    finally:
        ttk.configure(CALLBACK_ENDPOINT=ttk.fspiop_url, CALLBACK_TIMEOUT=10000)
        # The toolkit leaves a refused request's callback timer running; when it fires it removes every
        # listener for that callback's path (PUT /parties/MSISDN/<the same number>), a later test's included,
        # whose callback then goes unseen. Let those timers fire before the next test sends anything.
        time.sleep(NOBODY_CALLBACK_TIMEOUT_MS / 1000 + STALE_TIMER_MARGIN_S)
    assert not result.ok
    assert result.passed < result.total or result.total == 0
    assert result.failures
