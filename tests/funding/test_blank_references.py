"""Settlement references that name no payment, against the real demo server: the desk compares references
without their spaces, so one of spaces only would make every such filing the same payment. It is refused (400
3100), as are empty ones and those with characters that are not printable ASCII (tabs, zero-width spaces);
a reference with spaces among other characters is still taken.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from inzira.demo.app import Demo
from tests.funding.conftest import code_of, holder_token, redemption, reference
from tests.running_demo import demo_http

NAMING_NOTHING = [" ", "   ", " " * 64, "", "\t", " \t ", "\u200b", " \u200b ", "\n"]


def _deposit(demo: Demo, holder: str, ref: str) -> httpx.Response:
    with demo_http(demo, holder_token(demo, holder)) as client:
        return client.post("/funding/v1/deposits", json={"account": f"{holder}:eur", "amount_minor": 1_00,
                                                         "settlement_reference": ref})


def _requests(demo: Demo) -> int:
    return len(demo.providers.funding.store.listing(None, None, None, 10_000, None, 0))  # type: ignore[union-attr]


@pytest.mark.parametrize("ref", NAMING_NOTHING)
def test_a_deposit_reference_naming_no_payment_is_refused(demo: Demo, ref: str) -> None:
    before = _requests(demo)
    answer = _deposit(demo, "eurosend", ref)
    assert code_of(answer) == (400, 3100), answer.text
    assert _requests(demo) == before


def test_references_of_spaces_only_are_not_one_payment_among_holders(demo: Demo) -> None:
    refused = [_deposit(demo, holder, spaces) for holder, spaces in (("eurosend", "  "), ("silkpay", "    "))]
    assert [code_of(a) for a in refused] == [(400, 3100)] * 2
    assert "not only spaces" in refused[0].json()["detail"]


@pytest.mark.parametrize("ref", [" ", "   ", "\t", "\u200b"])
def test_a_withdrawal_reference_naming_no_payment_is_refused(demo: Demo, ref: str) -> None:
    before = _requests(demo)
    with demo_http(demo, holder_token(demo, "eurosend")) as client:
        answer = client.post("/funding/v1/withdrawals", json={
            "signed_tx": redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", ref)})
    assert code_of(answer) == (400, 3100), answer.text
    assert _requests(demo) == before


@pytest.mark.parametrize("decorate", [lambda r: f" {r} ", lambda r: r.replace("-", " "), lambda r: f"x {r}"])
def test_a_reference_with_spaces_among_other_characters_is_taken(demo: Demo, decorate: Callable[[str], str]) -> None:
    ref = decorate(reference())
    answer = _deposit(demo, "eurosend", ref)
    assert answer.status_code == 202, answer.text
    assert answer.json()["settlement_reference"] == ref
    with demo_http(demo, holder_token(demo, "eurosend")) as client:
        signed = redemption(demo, "eurosend", "eurosend:gbp", 1_00, "GBP", decorate(reference()))
        assert client.post("/funding/v1/withdrawals", json={"signed_tx": signed}).status_code == 202
