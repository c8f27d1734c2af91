"""Mojaloop's own version-negotiation collection (fspiop_protocol_validation), run by a real Testing Toolkit
against the demo's /fspiop, once with every request in 1.0 and once in 1.1.

Each run also sends an older-style Accept (major version only) that must be taken and answered in the
request's version, and an Accept of version=1000 and a Content-Type of version=1000.0 that must be refused
with 406 and 3001 in Mojaloop's words. Nothing may fail but the assertions no DFSP can be judged by.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inzira.demo.app import Demo
from tests.mojaloop.conftest import golden_path_inputs
from tests.mojaloop.payee_env import demo_behind_ttk  # noqa: F401 (fixture)
from tests.mojaloop.ttk import TestingToolkit, unjudgeable

COLLECTION = Path(__file__).parent / "collections_negative" / "fspiop_protocol_validation.json"
# Transaction requests (a payee-initiated request to pay) are not served by the gateway: 404 with 3002
# (docs/interop-mojaloop.md, "Deviations and limits"), so that test case is not run.
NOT_SERVED = "fspiop_protocol_validation - Transaction-Requests-Service"
RESOURCES = {"Parties": "parties", "Quotes": "quotes", "Transfers": "transfers"}
HOSTS = ("HOST_ACCOUNT_LOOKUP_SERVICE", "HOST_QUOTING_SERVICE", "HOST_ML_API_ADAPTER")


def version_inputs(version: str, fspiop_url: str) -> dict[str, str]:
    inputs = {**golden_path_inputs(), "toFspId": "inzira", "payeefsp": "inzira"}
    for name, resource in RESOURCES.items():
        media = f"application/vnd.interoperability.{resource}+json"
        inputs |= {f"accept{name}": f"{media};version={version}",
                   f"contentType{name}": f"{media};version={version}",
                   f"accept{name}Old": f"{media};version=1",
                   f"contentType{name}Old": f"{media};version={version}",
                   f"accept{name}NotSupported": f"{media};version=1000",
                   f"contentType{name}NotSupported": f"{media};version=1000.0",
                   f"expected{name}Version": version}
    return inputs | {host: fspiop_url for host in HOSTS}


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_version_negotiation_collection_passes_against_the_demo(ttk: TestingToolkit, demo_behind_ttk: Demo,  # noqa: F811
                                                                version: str) -> None:
    collection = json.loads(COLLECTION.read_text())
    collection["test_cases"] = [case for case in collection["test_cases"] if case["name"] != NOT_SERVED]
    inputs = version_inputs(version, f"http://127.0.0.1:{demo_behind_ttk.port}/fspiop")
    result = ttk.run(collection, inputs, options={"generateIDType": "uuid"})
    skipped = unjudgeable(collection)
    assert result.total > len(skipped) > 0
    unexpected = [failure for failure in result.failures
                  if failure.split(":")[0] not in skipped or ": SKIPPED" not in failure]
    assert not unexpected, unexpected
    assert result.passed == result.total - len(skipped)
