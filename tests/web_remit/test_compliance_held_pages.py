"""The compliance officer's held transfers, a page at a time, the longest waiting first: every held transfer is
reachable, once, also when many were held in the same millisecond across a page's end. Before, the page showed
the newest 50 held (reversed) and nothing older: a transfer held longest was the one the officer could not see."""

from __future__ import annotations

import html
import re

from inzira.remit.records import TransferState
from inzira.remit.service import RemitService
from inzira.web.remit.compliance import HELD_MAX
from tests.stored_transfers import stored_transfer
from tests.web_remit.helpers import made_up_pages_show_the_first

PAGES_MAX = 20
HELD_MS = 2_000_000  # 1970: held longer than any other test's, so the first pages are these


def test_the_officer_pages_through_every_held_transfer_longest_waiting_first(signed_in,
                                                                             service: RemitService) -> None:
    made = sorted((HELD_MS, stored_transfer(service.transfers, "silkpay", HELD_MS, TransferState.HELD, "hold"))
                  for _ in range(HELD_MAX + 5))
    made.append((HELD_MS + 1, stored_transfer(service.transfers, "silkpay", HELD_MS + 1, TransferState.HELD, "hold")))
    ids = [transfer_id for _, transfer_id in made]
    officer = signed_in("silkpay", "officer")
    seen: list[str] = []
    url = "/remit/compliance"
    try:
        for n in range(PAGES_MAX):
            response = officer.get(url)
            assert response.status_code == 200, response.text
            shown = re.findall(r'data-held="([0-9a-f-]{36})"', response.text)
            assert len(shown) <= HELD_MAX
            seen += shown
            pager = response.text.split('data-pager="held"', 1)[1].split("</nav>", 1)[0]
            assert ("First</a>" in pager) == (n > 0)
            more = re.search(r'<a href="([^"]+)" rel="next">More held', pager)
            if more is None:
                break
            url = html.unescape(more.group(1))
            assert url.endswith("#held")
        else:
            raise AssertionError("the pages did not end")
        assert len(seen) == len(set(seen))
        assert [t for t in seen if t in set(ids)] == ids
    finally:  # decided, so the other tests' pages and walks of open transfers do not meet them
        for transfer_id in ids:
            decided = officer.post(f"/remit/compliance/transfers/{transfer_id}/decision", data={"decision": "reject"})
            assert decided.status_code == 303, decided.text


def test_a_made_up_page_of_held_transfers_shows_the_first_and_says_so(signed_in) -> None:
    made_up_pages_show_the_first(signed_in("eurosend", "officer"), "/remit/compliance", "held", "data-held",
                                 "not one this site gave out")
