"""The regulator's flagged transfers, a page at a time: every one compliance held or refused is reachable, once,
newest first, also when several were created in the same millisecond across a page's end. Before, the page showed
the newest 50 and nothing older."""

from __future__ import annotations

import html
import re
import uuid

from inzira.remit.records import DecisionRecord, QuoteTerms, TimelineStep, TransferRecord, TransferState
from inzira.remit.service import RemitService
from inzira.web.remit.regulator import FLAGGED_MAX

PAGES_MAX = 50
OLD_MS = 1_000_000  # 1970: older than any transfer the other page tests make, so their newest pages keep theirs


def _refused(service: RemitService, created_at_ms: int) -> str:
    """A transfer a sending FSP's compliance refused, in the demo service's own store."""
    transfer_id, quote_id = str(uuid.uuid4()), f"q-{uuid.uuid4().hex}"
    service.transfers.put_quote(QuoteTerms(
        quote_id=quote_id, sending_fsp="eurosend", receiving_fsp="mobimo", fx_member="imari-fx",
        msisdn="+250780000003", masked_name="J*** U***", source_currency="EUR", amount_sent_minor=10_000,
        sending_fee_minor=100, target_currency="RWF", gross_target_minor=1_500_000, receiving_fee_minor=1_000,
        amount_received_minor=1_499_000, rate="150", mid_rate="151", margin_percent="0.66", fx_margin_minor=66,
        rates_as_of="then", condition=b"c" * 32, fx_quote=b"q", created_at_ms=created_at_ms,
        expires_at_ms=created_at_ms + 60_000))
    record = TransferRecord(transfer_id=transfer_id, sending_fsp="eurosend", receiving_fsp="mobimo",
                            quote_id=quote_id, request_hash=b"h" * 32, state=TransferState.REJECTED, code=4140,
                            sender_id="s-old", sender_name="Old Sender", receiver_name="Old Receiver",
                            msisdn="+250780000003", source_currency="EUR", amount_sent_minor=10_000,
                            amount_received_minor=1_499_000, created_at_ms=created_at_ms,
                            updated_at_ms=created_at_ms, expires_at_ms=0)
    service.transfers.create(record, TimelineStep(created_at_ms, "REJECTED", "REJECTED"),
                             DecisionRecord(transfer_id, "eurosend", created_at_ms, "reject", "screening"), None)
    return transfer_id


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
    regulator = signed_in("cbr", "regulator")
    newest = regulator.get("/remit/regulator").text
    for made_up in ("garbage!", "MTI6", "x" * 300):
        response = regulator.get("/remit/regulator", params={"flagged": made_up})
        assert response.status_code == 400 and 'data-problem="flagged"' in response.text
        assert re.findall(r'data-flagged="([^"]+)"', response.text) == re.findall(r'data-flagged="([^"]+)"', newest)
