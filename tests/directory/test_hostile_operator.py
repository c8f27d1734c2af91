"""The directory operator is another member: what the remittance service's client (inzira/directory/client.py)
reads from it for the regulator's pages is decoded into typed, bounded rows, and an answer that does not fit is the
operator failing to answer (502, code 2003), which the pages show as unavailable. Before, the client handed any
JSON object on to the pages: items not a list, a time as a string, 10,000 rows... and the page answered 500."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from inzira.directory.answers import Dispute, DisputePage, LookupPage, RegistrationPage
from inzira.directory.client import DirectoryClient
from inzira.http import HttpProblem
from tests.directory.hostile_operator import (AUDIT, DISPUTES, PARTY, REGISTRATIONS, RESOLUTION, HostileOperator,
                                              dispute, disputes_page, hostile_operator, log_page, lookup_row,
                                              registration_row)

CALL_TIMEOUT_S = 30
LIMIT = 50
Read = Callable[[str], Any]  # the client's read of one route, run to its end


@pytest.fixture(scope="module")
def operator() -> Iterator[HostileOperator]:
    with hostile_operator() as running:
        yield running


@pytest.fixture
def read(operator: HostileOperator) -> Iterator[Read]:
    """``read(route)``: what the client makes of the hostile operator's answer on that route, as the regulator."""
    client = DirectoryClient()
    client.connect(operator.base_url, {"cbr": "the-regulators-token"})
    calls: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
        AUDIT: lambda: client.audit("cbr", LIMIT, member="eurosend"),
        REGISTRATIONS: lambda: client.registrations("cbr", LIMIT),
        DISPUTES: lambda: client.disputes("cbr", LIMIT),
        RESOLUTION: lambda: client.resolve("cbr", "0b0e7c1e", "keep"),
    }
    with asyncio.Runner() as runner:
        try:
            yield lambda route: runner.run(asyncio.wait_for(calls[route](), CALL_TIMEOUT_S))
        finally:
            runner.run(client.aclose())


def test_a_fitting_answer_passes_through_typed(operator: HostileOperator, read: Read) -> None:
    operator.answer(AUDIT, log_page([lookup_row(), lookup_row(id=6, fsp_id=None)], next_before_id=6))
    operator.answer(REGISTRATIONS, log_page([registration_row(), registration_row(
        id=8, party="", msisdn="", status=400, code=3100, outcome="REFUSED")], refused_by_member={}))
    operator.answer(DISPUTES, disputes_page([dispute(), dispute(dispute_id="d-2", state="MOVED", resolved_by="cbr",
                                                                resolved_at_ms=1, tx_id=PARTY, holder_confirms=False)],
                                            next_before_seq=4, later_field="ignored"))
    operator.answer(RESOLUTION, dispute(state="KEPT", resolved_by="cbr"))

    lookups = read(AUDIT)
    assert isinstance(lookups, LookupPage) and lookups.next_before_id == 6
    assert [(r.id, r.member, r.msisdn, r.fsp_id) for r in lookups.items] == [
        (7, "eurosend", "+250788123456", "mobimo"), (6, "eurosend", "+250788123456", None)]
    assert lookups.refused_by_member == {"silkpay": 3}
    registrations = read(REGISTRATIONS)
    assert isinstance(registrations, RegistrationPage) and registrations.refused_by_member == {}
    assert [(r.outcome, r.code, r.party) for r in registrations.items] == [("LISTED", None, PARTY),
                                                                          ("REFUSED", 3100, "")]
    disputes = read(DISPUTES)
    assert isinstance(disputes, DisputePage) and disputes.next_before_seq == 4
    assert [(d.dispute_id, d.state, d.holder_confirms) for d in disputes.items] == [
        ("0b0e7c1e-5d2a-4f7e-9a43-3f1c2b8d9e10", "OPEN", None), ("d-2", "MOVED", False)]
    decided = read(RESOLUTION)
    assert isinstance(decided, Dispute) and (decided.state, decided.resolved_by) == ("KEPT", "cbr")


def _many(row: Callable[..., dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return [row(id=count - n) for n in range(count)]


def _nested(depth: int) -> bytes:
    """A page with a field the client does not read, holding a list nested ``depth`` deep."""
    return b'{"items": [], "next_before_id": null, "refused_by_member": {}, "later": ' + b"[" * depth + \
        b"]" * depth + b"}"


UNFIT = {
    "answer not an object": (AUDIT, ["items"]),
    "answer a string": (REGISTRATIONS, "items"),
    "items not a list": (AUDIT, log_page({"0": lookup_row()})),  # type: ignore[arg-type]
    "items missing": (AUDIT, {"next_before_id": None, "refused_by_member": {}}),
    "a row not an object": (AUDIT, log_page([lookup_row(), 7])),
    "at_ms a string": (AUDIT, log_page([lookup_row(at_ms="yesterday")])),
    "at_ms past any date a page shows": (AUDIT, log_page([lookup_row(at_ms=10**15)])),
    "at_ms negative": (REGISTRATIONS, log_page([registration_row(at_ms=-1)])),
    "id a float": (AUDIT, log_page([lookup_row(id=1.5)])),
    "id past 64 bits": (AUDIT, log_page([lookup_row(id=2**64)])),
    "member too long": (AUDIT, log_page([lookup_row(member="m" * 10_000)])),
    "msisdn not a string": (AUDIT, log_page([lookup_row(msisdn=["+250788123456"])])),
    "fsp_id a number": (AUDIT, log_page([lookup_row(fsp_id=5)])),
    "refused_by_member a list": (AUDIT, log_page([], refused_by_member=["silkpay", 3])),
    "refused_by_member counts as strings": (REGISTRATIONS, log_page([], refused_by_member={"silkpay": "3"})),
    "refused_by_member a count below zero": (AUDIT, log_page([], refused_by_member={"silkpay": -1})),
    "next_before_id a string": (AUDIT, log_page([lookup_row()], next_before_id="6")),
    "10,000 rows": (AUDIT, log_page(_many(lookup_row, 10_000))),
    "more rows than asked": (REGISTRATIONS, log_page(_many(registration_row, LIMIT + 1))),
    "active a string": (REGISTRATIONS, log_page([registration_row(active="yes")])),
    "party not a hash": (REGISTRATIONS, log_page([registration_row(party="<script>")])),
    "an outcome not documented": (REGISTRATIONS, log_page([registration_row(outcome="STOLEN")])),
    "code a string": (REGISTRATIONS, log_page([registration_row(code="3100")])),
    "disputes items an object": (DISPUTES, disputes_page({"a": dispute()})),  # type: ignore[arg-type]
    "a dispute not an object": (DISPUTES, disputes_page(["OPEN"])),
    "a dispute id that is a path": (DISPUTES, disputes_page([dispute(dispute_id="../../transfers")])),
    "holder_confirms a string": (DISPUTES, disputes_page([dispute(holder_confirms="yes")])),
    "a state not documented": (DISPUTES, disputes_page([dispute(state="WHATEVER")])),
    "created_at_ms a string": (DISPUTES, disputes_page([dispute(created_at_ms="now")])),
    "next_before_seq a string": (DISPUTES, disputes_page([], next_before_seq="4")),
    "3,000 disputes (what fits in the answer size cap)": (DISPUTES, disputes_page([dispute() for _ in range(3_000)])),
    "JSON nested 5,000 deep in a field the client skips": (AUDIT, _nested(5_000)),
    "a member not UTF-8": (AUDIT, b'{"items": [], "next_before_id": null, "refused_by_member": {"\xff": 1}}'),
    "a decision not a dispute": (RESOLUTION, {"ok": True}),
    "a decision a list": (RESOLUTION, [dispute()]),
}


@pytest.mark.parametrize("case", list(UNFIT))
def test_an_answer_that_does_not_fit_is_the_operator_failing(operator: HostileOperator, read: Read,
                                                            case: str) -> None:
    route, doc = UNFIT[case]
    operator.answer(route, doc)
    with pytest.raises(HttpProblem) as raised:
        read(route)
    assert (raised.value.status, raised.value.code) == (502, 2003)
    assert raised.value.detail.startswith("the directory operator's answer")
