"""The directory's registrations log on the regulator's pages: who asked to list or unlist which number (masked,
with its keyed hash) and the answer, a page at a time, by FSP and by number, and the requests refused per FSP for
going over an allowance. Before, the log was on the operator's API only: no page showed it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.remit.codes import RemitError
from inzira.remit.phone import mask_number
from inzira.remit.service import RemitService
from tests.web_remit.directory_logs import assert_pages_back_by_member, log_rows, log_table
from tests.web_remit.helpers import REGISTER_TIMEOUT_S

PAGE = "/remit/regulator/registrations"


def _table(page: str) -> str:
    return log_table(page, "registrations")


def _rows(page: str) -> dict[int, str]:
    return log_rows(page, "registrations", "registration")


def test_the_regulator_reads_the_registrations_log_by_fsp_and_by_number(demo: Demo, service: RemitService,
                                                                        signed_in: Callable[[str, str], httpx.Client],
                                                                        new_wallet: Callable[..., str]) -> None:
    number = new_wallet("mobimo")  # listed for mobimo
    demo.remit.sims["ubumwe"].admin.create_wallet(number[1:], "Eric", "Mugisha")  # type: ignore[union-attr]
    claim = service.submit(service.register_number("ubumwe", number)).result(REGISTER_TIMEOUT_S)
    assert claim["state"] == "DISPUTED"
    unheld = "+250789000417"  # no simulator holds a wallet there: the operator refuses the listing
    with pytest.raises(RemitError) as refused:
        service.submit(service.register_number("mobimo", unheld)).result(REGISTER_TIMEOUT_S)
    assert refused.value.code == 3204
    regulator = signed_in("cbr", "regulator")  # a demo button's session: reading is no power

    assert 'href="/remit/regulator/registrations"' in regulator.get("/remit/regulator").text
    everything = regulator.get(PAGE)
    assert everything.status_code == 200 and "Content-Security-Policy" in everything.headers
    assert number not in _table(everything.text) and unheld not in _table(everything.text)  # masked, never clear
    newest = list(_rows(everything.text).values())
    assert f"mobimo {mask_number(unheld)} list REFUSED 3204 (404)" in newest[0]

    by_number = regulator.get(PAGE, params={"msisdn": number})
    rows = list(_rows(by_number.text).values())
    assert len(rows) == 2
    assert f"ubumwe {mask_number(number)} list DISPUTED" in rows[0]
    assert f"mobimo {mask_number(number)} list LISTED" in rows[1]
    assert f'value="{number}"' in by_number.text  # the filter stays in the form

    by_fsp = regulator.get(PAGE, params={"member": "ubumwe"}).text
    assert '<option value="ubumwe" selected>' in by_fsp
    assert _rows(by_fsp) and all(" ubumwe " in row for row in _rows(by_fsp).values())
    assert all(" mobimo " not in row for row in _rows(by_fsp).values())


def test_the_log_pages_back_with_its_filter_kept(signed_in: Callable[[str, str], httpx.Client],
                                                new_wallet: Callable[..., str]) -> None:
    for _ in range(3):
        new_wallet("mobimo")
    assert_pages_back_by_member(signed_in("cbr", "regulator"), PAGE, "mobimo", "registrations", "registration")


def test_requests_refused_over_an_allowance_are_counted_per_fsp(demo: Demo,
                                                               signed_in: Callable[[str, str], httpx.Client]) -> None:
    operator = demo.remit.operator  # type: ignore[union-attr]
    granted = operator.settings.registration_allowance("sbk")
    # What sbk's signed requests past its burst would meet, without signing 2,000 listings first.
    waits = [operator.registration_limiter.take("sbk") for _ in range(granted.burst + 3)]
    assert waits.count(0) == granted.burst
    page = signed_in("cbr", "regulator").get(PAGE).text
    assert '<span data-refused-member="sbk">sbk 3</span>' in page
