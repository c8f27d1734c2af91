"""The directory's look-up log on the regulator's pages: who asked which FSP serves a number and the answer, a page
at a time, by FSP and by number. Before, the regulator's page showed the newest 50 look-ups and nothing older, with
no way to find one member's or one number's."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from tests.web_remit.directory_logs import assert_pages_back_by_member, log_rows
from tests.web_remit.helpers import HTTP_TIMEOUT_S

PAGE = "/remit/regulator/lookups"
UNLISTED = "+250789000733"  # no FSP lists it


def _look_up(demo: Demo, member: str, number: str) -> int:
    """``member`` asks who serves ``number``, as its remittance service's API does on every send; the status."""
    token = load_api_keys(demo.data_dir)[member]
    return httpx.get(f"{demo.url.rstrip('/')}/v1/remit/parties/MSISDN/{number}", timeout=HTTP_TIMEOUT_S,
                     headers={"Authorization": f"Bearer {token}"}).status_code


def _rows(page: str) -> dict[int, str]:
    return log_rows(page, "lookups", "lookup")


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
    assert_pages_back_by_member(signed_in("cbr", "regulator"), PAGE, "eurosend", "lookups", "lookup")
