"""Fixtures: one Mojaloop Testing Toolkit per test session, started on free loopback ports, stopped after.

Tests change the toolkit's user config for what they need (``ttk.configure(CALLBACK_ENDPOINT=...)``) before
running a collection or sending it requests: the toolkit is shared, so each test sets what it relies on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mojaloop import hub_rules
from tests.mojaloop.ttk import TestingToolkit

TTK_FSPID = "testingtoolkitdfsp"  # the toolkit's own FSP id (its default)


@pytest.fixture(scope="session")
def ttk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestingToolkit]:
    toolkit = TestingToolkit(Path(tmp_path_factory.mktemp("ttk")))
    toolkit.start()
    try:
        yield toolkit
    finally:
        toolkit.stop()


def golden_path_inputs(to_id_value: str = "250788123456", amount: str = "100") -> dict[str, str]:
    """The ``inputValues`` of Mojaloop's DFSP golden-path collections: the toolkit pays ``to_id_value``."""
    return {
        "accept": "application/vnd.interoperability.parties+json;version=1.0",
        "contentType": "application/vnd.interoperability.parties+json;version=1.0",
        "fromFspId": TTK_FSPID,
        "fromIdType": "MSISDN",
        "fromIdValue": "44123456789",
        "fromFirstName": "Alice",
        "fromLastName": "Mukamana",
        "fromDOB": "1984-01-01",
        "note": "golden path",
        "toIdType": "MSISDN",
        "toIdValue": to_id_value,
        "amount": amount,
        "currency": "RWF",
    }


@pytest.fixture(scope="session")
def ttk_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestingToolkit]:
    """A second toolkit playing eKash (hub and payee FSP) for the payer side, with the rules of hub_rules."""
    toolkit = TestingToolkit(Path(tmp_path_factory.mktemp("ttk-hub")))
    toolkit.start({"callback": hub_rules.callback_rules(), "validation": hub_rules.validation_rules()})
    try:
        yield toolkit
    finally:
        toolkit.stop()
