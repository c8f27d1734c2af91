"""The directory's registrations log on the regulator's pages: who asked to list or unlist which number (masked,
with its keyed hash) and the answer, a page at a time, by FSP and by number, and the requests refused per FSP for
going over an allowance. Before, the log was on the operator's API only: no page showed it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx
import pytest

from inzira.demo.app import Demo
from inzira.remit.codes import RemitError
from inzira.remit.phone import mask_number
from inzira.remit.service import RemitService
from tests.web_remit.helpers import REGISTER_TIMEOUT_S

PAGE = "/remit/regulator/registrations"


def _table(page: str) -> str:
    return page.split('<table class="registrations">', 1)[1].split("</table>", 1)[0]


def _rows(page: str) -> dict[int, str]:
    """Each row of the log by its id, its cells' text."""
    found = re.findall(r'<tr data-registration="(\d+)">(.*?)</tr>', _table(page), re.S)
    return {int(row_id): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cells)).split()) for row_id, cells in found}


def _older(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return None if found is None else html.unescape(found.group(1))


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
    regulator = signed_in("cbr", "regulator")
    first = regulator.get(PAGE, params={"member": "mobimo", "limit": "2"}).text
    older = _older(first)
    assert older is not None and "member=mobimo" in older and "limit=2" in older
    second = regulator.get(older).text
    first_ids, second_ids = _rows(first), _rows(second)
    assert len(first_ids) == len(second_ids) == 2 and max(second_ids) < min(first_ids)
    assert all(" mobimo " in row for row in second_ids.values())
    assert 'href="/remit/regulator/registrations?member=mobimo&amp;limit=2">Newest' in second
    assert len(_rows(regulator.get(PAGE, params={"limit": "9999"}).text)) <= 50  # a hand-edited size, bounded


def test_requests_refused_over_an_allowance_are_counted_per_fsp(demo: Demo,
                                                               signed_in: Callable[[str, str], httpx.Client]) -> None:
    operator = demo.remit.operator  # type: ignore[union-attr]
    granted = operator.settings.registration_allowance("sbk")
    # What sbk's signed requests past its burst would meet, without signing 2,000 listings first.
    waits = [operator.registration_limiter.take("sbk") for _ in range(granted.burst + 3)]
    assert waits.count(0) == granted.burst
    page = signed_in("cbr", "regulator").get(PAGE).text
    assert '<span data-refused-member="sbk">sbk 3</span>' in page


def test_only_a_regulator_reads_it_and_a_bad_filter_is_said_on_the_page(
        signed_in: Callable[[str, str], httpx.Client], anonymous: httpx.Client) -> None:
    assert anonymous.get(PAGE).status_code == 303
    assert signed_in("eurosend", "agent").get(PAGE).status_code == 403
    assert signed_in("mobimo", "receiving").get(PAGE, params={"member": "mobimo"}).status_code == 403
    regulator = signed_in("cbr", "regulator")
    for params, said in (({"msisdn": "12345"}, "Not a number the directory lists"),
                         ({"msisdn": "+33612345678"}, "not a Rwandan number"),
                         ({"msisdn": "7" * 200}, "at most 64 characters"),
                         ({"member": "nobody"}, "nobody is not a member of this network"),
                         ({"member": "x" * 500}, "is not a member of this network")):
        answer = regulator.get(PAGE, params=params)
        assert answer.status_code == 400 and 'data-problem="filter"' in answer.text and said in answer.text
    junk = regulator.get(PAGE, params={"before": "not-a-number", "limit": "-3"})
    assert junk.status_code == 200 and '<table class="registrations">' in junk.text
