"""The regulator's flagged transfers, a page at a time: every one compliance held or refused is reachable, once,
newest first, also when several were created in the same millisecond across a page's end. Before, the page showed
the newest 50 and nothing older."""

from __future__ import annotations

import html
import re

from inzira.remit.records import TransferState
from inzira.remit.service import RemitService
from inzira.web.remit.regulator import FLAGGED_MAX
from tests.stored_transfers import stored_transfer
from tests.web_remit.helpers import made_up_pages_show_the_first

PAGES_MAX = 50
OLD_MS = 1_000_000  # 1970: older than any transfer the other page tests make, so their newest pages keep theirs


def _refused(service: RemitService, created_at_ms: int) -> str:
    """A transfer a sending FSP's compliance refused, in the demo service's own store."""
    return stored_transfer(service.transfers, "eurosend", created_at_ms, TransferState.REJECTED, "reject")


def test_the_regulator_pages_through_every_flagged_transfer(signed_in, service) -> None:
    # More than a page, all created in one millisecond: a page ends among them, wherever the newer ones put it.
    made = sorted((_refused(service, OLD_MS) for _ in range(FLAGGED_MAX + 5)), reverse=True)  # then by id
    regulator = signed_in("cbr", "regulator")
    seen: list[str] = []
    url = "/remit/regulator?days=7"
    for n in range(PAGES_MAX):
        response = regulator.get(url)
        assert response.status_code == 200, response.text
        page = response.text
        shown = re.findall(r'data-flagged="([0-9a-f-]{36})"', page)
        assert len(shown) <= FLAGGED_MAX
        seen += shown
        pager = page.split('data-pager="flagged"', 1)[1].split("</nav>", 1)[0]
        assert ("Newest</a>" in pager) == (n > 0)
        older = re.search(r'<a href="([^"]+)" rel="next">Older flagged', pager)
        if older is None:
            break
        url = html.unescape(older.group(1))
        assert "days=7" in url and url.endswith("#flagged")
    else:
        raise AssertionError("the pages did not end")
    assert len(seen) == len(set(seen))
    assert [t for t in seen if t in made] == made


def test_a_made_up_page_shows_the_newest_and_says_so(signed_in) -> None:
    made_up_pages_show_the_first(signed_in("cbr", "regulator"), "/remit/regulator", "flagged", "data-flagged",
                                 'data-problem="flagged"')
