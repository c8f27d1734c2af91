"""The quote pages' drafts (web/drafts.py) are bounded in all, and one owner asking for quotes without end drops
only its own oldest, never another owner's.

An attack seen: the book held 5,000 drafts for everybody together, the oldest dropped first. A member may ask for
hundreds of quotes a second, so one member's agent (or a demo button's visitor) quoting in a loop pushed out the
quote every other member's agent had just asked for: their quote page answered "quote gone"."""

from __future__ import annotations

from inzira.web.drafts import DRAFTS_MAX, Drafts


def test_one_owner_quoting_without_end_keeps_the_others_drafts() -> None:
    drafts: Drafts[str] = Drafts()
    drafts.put("theirs", "silkpay", "silkpay's quote")
    for n in range(DRAFTS_MAX + 1):
        drafts.put(f"mine-{n}", "eurosend", f"quote {n}")
    assert drafts.get("silkpay", "theirs") == "silkpay's quote"
    assert drafts.get("eurosend", f"mine-{DRAFTS_MAX}") == f"quote {DRAFTS_MAX}"  # its newest are kept
    assert drafts.get("eurosend", "mine-0") is None  # its oldest made room


def test_the_book_stays_bounded_in_all() -> None:
    drafts: Drafts[int] = Drafts(drafts_max=100)
    for n in range(1_000):
        drafts.put(f"q-{n}", f"owner-{n}", n)
    assert len(drafts) <= 100
    assert drafts.get("owner-999", "q-999") == 999
    assert drafts.get("owner-0", "q-0") is None
