"""The directory's look-up log on the regulator's pages: who asked which FSP serves a number and the answer, a page
at a time, by FSP and by number. Before, the regulator's page showed the newest 50 look-ups and nothing older, with
no way to find one member's or one number's."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import httpx

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from tests.web_remit.helpers import HTTP_TIMEOUT_S

PAGE = "/remit/regulator/lookups"
UNLISTED = "+250789000733"  # no FSP lists it


def _look_up(demo: Demo, member: str, number: str) -> int:
    """``member`` asks who serves ``number``, as its remittance service's API does on every send; the status."""
    token = load_api_keys(demo.data_dir)[member]
    return httpx.get(f"{demo.url.rstrip('/')}/v1/remit/parties/MSISDN/{number}", timeout=HTTP_TIMEOUT_S,
                     headers={"Authorization": f"Bearer {token}"}).status_code


def _rows(page: str) -> dict[int, str]:
    """Each row of the log by its id, its cells' text."""
    table = page.split('<table class="lookups">', 1)[1].split("</table>", 1)[0]
    found = re.findall(r'<tr data-lookup="(\d+)">(.*?)</tr>', table, re.S)
    return {int(row_id): " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cells)).split()) for row_id, cells in found}


def _older(page: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', page)
    return None if found is None else html.unescape(found.group(1))


def test_the_regulator_finds_a_numbers_and_a_members_look_ups(demo: Demo,
                                                               signed_in: Callable[[str, str], httpx.Client],
                                                               new_wallet: Callable[..., str]) -> None:
    number = new_wallet("mobimo")
    assert _look_up(demo, "eurosend", number) == 200
    assert _look_up(demo, "eurosend", UNLISTED) == 404
    assert _look_up(demo, "silkpay", number) == 200
    regulator = signed_in("cbr", "regulator")  # a demo button's session: reading is no power

    assert f'href="{PAGE}"' in regulator.get("/remit/regulator").text
    everything = regulator.get(PAGE)
    assert everything.status_code == 200 and "Content-Security-Policy" in everything.headers
    newest = list(_rows(everything.text).values())
    assert newest[0].endswith(f"silkpay {number} mobimo")

    national = "0" + number.removeprefix("+250")  # typed as people write it: found by its E.164 form
    by_number = regulator.get(PAGE, params={"msisdn": national})
    rows = list(_rows(by_number.text).values())
    assert len(rows) == 2 and rows[0].endswith(f"silkpay {number} mobimo") and rows[1].endswith(
        f"eurosend {number} mobimo")
    assert f'value="{national}"' in by_number.text  # the filter stays in the form

    unlisted = list(_rows(regulator.get(PAGE, params={"msisdn": UNLISTED}).text).values())
    assert unlisted and unlisted[0].endswith(f"eurosend {UNLISTED} not listed")

    by_fsp = regulator.get(PAGE, params={"member": "silkpay"}).text
    assert '<option value="silkpay" selected>' in by_fsp
    assert _rows(by_fsp) and all(" silkpay " in row for row in _rows(by_fsp).values())
    nobody = regulator.get(PAGE, params={"member": "sbk"}).text  # a member that never looks numbers up
    assert not _rows(nobody) and "No look-ups match." in nobody


def test_the_log_pages_back_with_its_filters_kept(demo: Demo, signed_in: Callable[[str, str], httpx.Client],
                                                 new_wallet: Callable[..., str]) -> None:
    for _ in range(3):
        assert _look_up(demo, "eurosend", new_wallet("mobimo")) == 200
    regulator = signed_in("cbr", "regulator")
    first = regulator.get(PAGE, params={"member": "eurosend", "limit": "2"}).text
    older = _older(first)
    assert older is not None and "member=eurosend" in older and "limit=2" in older
    second = regulator.get(older).text
    first_ids, second_ids = _rows(first), _rows(second)
    assert len(first_ids) == len(second_ids) == 2 and max(second_ids) < min(first_ids)
    assert all(" eurosend " in row for row in second_ids.values())
    assert f'href="{PAGE}?member=eurosend&amp;limit=2">Newest' in second
    assert len(_rows(regulator.get(PAGE, params={"limit": "9999"}).text)) <= 50  # a hand-edited size, bounded


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
                         ({"member": "<b>x</b>"}, "&lt;b&gt;x&lt;/b&gt; is not a member of this network"),
                         ({"member": "x" * 500}, "is not a member of this network")):
        answer = regulator.get(PAGE, params=params)
        assert answer.status_code == 400 and 'data-problem="filter"' in answer.text and said in answer.text
        assert '<table class="lookups">' not in answer.text
    for junk in ({"before": "not-a-number", "limit": "-3"}, {"before": "9" * 40, "limit": "0"}):
        answer = regulator.get(PAGE, params=junk)
        assert answer.status_code == 200 and '<table class="lookups">' in answer.text
