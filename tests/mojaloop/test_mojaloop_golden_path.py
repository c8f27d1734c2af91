"""Mojaloop's DFSP golden-path collections, run by a real Testing Toolkit (the payer DFSP) against a running
demo's /fspiop (the payee DFSP, FSP id inzira): every assertion must pass."""

from __future__ import annotations

import pytest

from inzira.demo.app import Demo
from tests.mojaloop.conftest import golden_path_inputs
from tests.mojaloop.payee_env import demo_behind_ttk  # noqa: F401 (fixture)
from tests.mojaloop.ttk import TestingToolkit


@pytest.mark.parametrize("collection", ["p2p_happy_path.json", "get_quotes_transfers.json"])
def test_golden_path_collection_passes_against_the_demo(ttk: TestingToolkit, demo_behind_ttk: Demo,  # noqa: F811
                                                        collection: str) -> None:
    # get_quotes_transfers.json also reads the payee's FSP id (toFspId): the gateway's.
    result = ttk.run_file(collection, {**golden_path_inputs(), "toFspId": "inzira"})
    assert result.ok, result.failures
    assert result.total > 0 and result.passed == result.total
