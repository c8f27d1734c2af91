"""The Testing Toolkit fixture itself: it starts, takes its config, runs a collection and reports failures."""

from __future__ import annotations

from tests.mojaloop.conftest import golden_path_inputs
from tests.mojaloop.ttk import TestingToolkit, free_port


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
    ttk.configure(CALLBACK_ENDPOINT=f"http://127.0.0.1:{free_port()}", CALLBACK_TIMEOUT=2000)
    try:
        result = ttk.run_file("p2p_happy_path.json", golden_path_inputs())
    finally:
        ttk.configure(CALLBACK_ENDPOINT=ttk.fspiop_url, CALLBACK_TIMEOUT=10000)
    assert not result.ok
    assert result.passed < result.total or result.total == 0
    assert result.failures
