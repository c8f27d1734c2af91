"""The receiving FSP's flagged payouts page: newest first, a page at a time, by status and reason prefix, with
the count; its own payouts only; the incoming page says how many are to recover. Before, nothing listed a flagged
payout: the reason sat on each payout record."""

from __future__ import annotations

import html
import os
import re

from inzira.remit.records import PayoutRecord
from inzira.remit.service import RemitService

PAGE = "/remit/incoming/flagged"
PAGES_MAX = 50
FUTURE_MS = 4_000_000_000_000  # later than any payout the other page tests make: these are the newest


def _flag(service: RemitService, fsp: str, at_ms: int, reason: str = "PAID_AFTER_ABORT_3303",
          status: str = "SUCCESSFUL") -> str:
    """A payout in the demo service's own book, paid (or refused) and flagged as the payout flow would."""
    pending_id = os.urandom(32)
    payout = PayoutRecord(pending_id=pending_id, fsp=fsp, quote_id=f"q-{pending_id.hex()}",
                          reference_id=f"r-{pending_id.hex()[:8]}", msisdn="+250780000002", amount_minor=2_500_000,
                          currency="RWF", status=status, reason="" if status == "SUCCESSFUL" else reason,
                          updated_at_ms=at_ms)
    assert service.payouts.claim(payout) is not None
    if status == "SUCCESSFUL":
        assert service.payouts.flag_unpaid(pending_id, reason, at_ms) is not None
    return pending_id.hex()


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-payout="([0-9a-f]{64})">', page)


def _count(page: str) -> int:
    return int(re.search(r'data-count="(\d+)"', page).group(1))  # type: ignore[union-attr]


def _walk(client, url: str) -> tuple[list[str], int]:
    """Every page from ``url``, following "Older →": the payouts in order, and the count on the first page."""
    seen: list[str] = []
    first = client.get(url)
    assert first.status_code == 200, first.text
    count, page = _count(first.text), first.text
    for _ in range(PAGES_MAX):
        seen += _rows(page)
        older = re.search(r'<a href="([^"]+)" rel="next">', page)
        if older is None:
            return seen, count
        response = client.get(html.unescape(older.group(1)))
        assert response.status_code == 200, response.text
        page = response.text
    raise AssertionError("the pages did not end")


def test_the_receiving_fsp_pages_through_its_flagged_payouts(signed_in, service) -> None:
    mobimo = signed_in("mobimo", "receiving")
    _, before = _walk(mobimo, PAGE)
    made = [_flag(service, "mobimo", FUTURE_MS + n) for n in (3, 1, 2)]
    failed = _flag(service, "mobimo", FUTURE_MS + 4, "PAYEE_NOT_FOUND", status="FAILED")
    expected = [failed, made[0], made[2], made[1]]
    seen, count = _walk(mobimo, f"{PAGE}?limit=1")
    assert [s for s in seen if s in expected] == expected
    assert len(seen) == len(set(seen)) == count == before + 4
    assert failed in _walk(mobimo, f"{PAGE}?status=FAILED&limit=2")[0]
    paid = _walk(mobimo, f"{PAGE}?status=SUCCESSFUL&reason=PAID_AFTER_ABORT&limit=2")[0]
    assert failed not in paid and set(made) <= set(paid)
    page = mobimo.get(f"{PAGE}?limit={len(seen)}").text
    row = page.split(f'data-payout="{failed}"', 1)[1].split("</tr>", 1)[0]
    assert "PAYEE_NOT_FOUND" in row and "2,500,000 RWF" in row and "+250780000002" in row and "recover" not in row
    row = page.split(f'data-payout="{made[0]}"', 1)[1].split("</tr>", 1)[0]
    assert "PAID_AFTER_ABORT_3303" in row and "recover</span>" in row
    incoming = mobimo.get("/remit/incoming").text
    shown = int(re.search(r'data-to-recover="(\d+)"', incoming).group(1))  # type: ignore[union-attr]
    assert shown == _count(mobimo.get(f"{PAGE}?status=SUCCESSFUL").text) >= 3
    assert 'href="/remit/incoming/flagged" data-link="flagged"' in incoming


def test_each_fsp_sees_its_own_and_only_the_receiving_role_sees_the_page(signed_in, service, anonymous) -> None:
    theirs = _flag(service, "ubumwe", FUTURE_MS + 10)
    mobimo, ubumwe = signed_in("mobimo", "receiving"), signed_in("ubumwe", "receiving")
    assert theirs in _walk(ubumwe, PAGE)[0] and theirs not in _walk(mobimo, PAGE)[0]
    assert signed_in("eurosend", "agent").get(PAGE).status_code == 403
    assert signed_in("cbr", "regulator").get(PAGE).status_code == 403
    away = anonymous.get(PAGE, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/remit/sign-in")


def test_a_hand_edited_address_gets_a_page_that_says_what_is_wrong(signed_in, service) -> None:
    mobimo = signed_in("mobimo", "receiving")
    for query, said in (("status=PENDING", "Choose a status"), ("reason=PAID%25", "A reason is letters"),
                        ("reason=" + "A" * 70, "A reason is letters"), ("cursor=garbage!", "not one this site"),
                        ("cursor=MTI6eno", "not one this site")):
        response = mobimo.get(f"{PAGE}?{query}")
        assert response.status_code == 400 and said in response.text, query
        assert 'data-filter="flagged"' in response.text
    assert mobimo.get(f"{PAGE}?limit=99999").status_code == 200
    assert mobimo.get(f"{PAGE}?limit=x").status_code == 200


def test_an_operators_reason_is_shown_as_text(signed_in, service) -> None:
    made = _flag(service, "mobimo", FUTURE_MS + 20, "<script>alert(1)</script>", status="FAILED")
    page = signed_in("mobimo", "receiving").get(f"{PAGE}?status=FAILED&limit=1").text
    assert made in page and "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
