"""The regulator's directory pages when the directory operator (another member) answers what its API does not
document: the page says the operator does not show it (200), never a 500. Before, a time sent as a string, a
``refused_by_member`` that is a list or a dispute dated past year 9999 reached the templates, and the page
answered 500."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from inzira.directory.client import DirectoryClient
from inzira.remit.service import RemitService
from tests.directory.hostile_operator import (AUDIT, DISPUTES, REGISTRATIONS, HostileOperator, dispute,
                                              disputes_page, hostile_operator, log_page, lookup_row,
                                              registration_row)

CLOSE_TIMEOUT_S = 10
UNAVAILABLE = "The directory operator does not show this here"
UNFIT = "answer is not what its API documents"


@pytest.fixture
def operator(service: RemitService) -> Iterator[HostileOperator]:
    """The remittance service reads the directory from a hostile operator while the test runs: a directory client
    connected to it as a deployment connects the service's own (``connect``), in the service's place."""
    with hostile_operator() as running:
        client = DirectoryClient()
        client.connect(running.base_url, {"cbr": "the-regulators-token"})
        kept = service.directory
        service.directory = client
        try:
            yield running
        finally:
            service.directory = kept
            service.submit(client.aclose()).result(CLOSE_TIMEOUT_S)


def _fitting(operator: HostileOperator) -> None:
    operator.answer(AUDIT, log_page([lookup_row()]))
    operator.answer(REGISTRATIONS, log_page([registration_row()]))
    operator.answer(DISPUTES, disputes_page([dispute()]))


def test_fitting_answers_are_shown(operator: HostileOperator,
                                   signed_in: Callable[[str, str], httpx.Client]) -> None:
    _fitting(operator)
    regulator = signed_in("cbr", "regulator")
    lookups = regulator.get("/remit/regulator/lookups")
    assert lookups.status_code == 200 and UNAVAILABLE not in lookups.text
    row = lookups.text.split('<tr data-lookup="7">', 1)[1].split("</tr>", 1)[0]
    assert "eurosend" in row and "+250788123456" in row and "mobimo" in row
    assert 'data-refused-member="silkpay">silkpay 3<' in lookups.text
    registrations = regulator.get("/remit/regulator/registrations")
    assert registrations.status_code == 200 and '<tr data-registration="9">' in registrations.text
    page = regulator.get("/remit/regulator")
    assert page.status_code == 200 and UNAVAILABLE not in page.text
    assert 'data-dispute="0b0e7c1e-5d2a-4f7e-9a43-3f1c2b8d9e10"' in page.text


PAGES: dict[str, tuple[str, str, Any]] = {
    "a look-up's time a string": ("/remit/regulator/lookups", AUDIT, log_page([lookup_row(at_ms="yesterday")])),
    "a look-up dated past year 9999": ("/remit/regulator/lookups", AUDIT, log_page([lookup_row(at_ms=10**15)])),
    "refusals a list": ("/remit/regulator/registrations", REGISTRATIONS,
                        log_page([registration_row()], refused_by_member=["silkpay", 3])),
    "a registration not an object": ("/remit/regulator/registrations", REGISTRATIONS, log_page([None])),
    "a dispute dated past year 9999": ("/remit/regulator", DISPUTES, disputes_page([dispute(created_at_ms=10**15)])),
    "the look-ups on the regulator's page dated by a string": ("/remit/regulator", AUDIT,
                                                               log_page([lookup_row(at_ms="now")])),
}


@pytest.mark.parametrize("case", list(PAGES))
def test_an_unfit_answer_shows_the_operator_unavailable(operator: HostileOperator,
                                                       signed_in: Callable[[str, str], httpx.Client],
                                                       case: str) -> None:
    path, route, doc = PAGES[case]
    _fitting(operator)
    operator.answer(route, doc)
    page = signed_in("cbr", "regulator").get(path)
    assert page.status_code == 200, page.text[:300]
    assert UNAVAILABLE in page.text and UNFIT in page.text
