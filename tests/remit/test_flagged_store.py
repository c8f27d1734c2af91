"""The payout book's flagged payouts: pages newest first with no row skipped or repeated at equal times, counts,
the reason prefix taken as text, and a book kept before the reason column existed gets it filled in at opening."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import msgspec
import pytest

from inzira.remit.records import PayoutRecord
from inzira.remit.store.db import Db
from inzira.remit.store.flagged import FLAGGED_STATUSES, FlaggedPayouts
from inzira.remit.store.payouts import PayoutStore

# The payouts table as the book had it before the reason column.
_OLD_SCHEMA = """CREATE TABLE payouts (
  pending_id BLOB PRIMARY KEY, fsp TEXT NOT NULL, status TEXT NOT NULL, updated_at_ms INTEGER NOT NULL,
  record BLOB NOT NULL);
CREATE INDEX payouts_by_status ON payouts (status, updated_at_ms);"""


def _payout(n: int, fsp: str = "mobimo", status: str = "SUCCESSFUL", reason: str = "", at_ms: int = 1_000
            ) -> PayoutRecord:
    return PayoutRecord(pending_id=n.to_bytes(32, "big"), fsp=fsp, quote_id=f"q-{n}", reference_id=f"r-{n}",
                        msisdn="+250780000001", amount_minor=1_499_000 + n, currency="RWF", status=status,
                        reason=reason, updated_at_ms=at_ms)


@pytest.fixture
def db(tmp_path: Path):
    opened = Db(tmp_path / "remit.db")
    yield opened
    opened.close()


def _walk(book: FlaggedPayouts, limit: int, **filters) -> list[int]:
    """Every page of the listing, following the last row of each; the pending ids as numbers."""
    seen: list[int] = []
    before = None
    for _ in range(100):
        page = book.page(filters.get("fsp", "mobimo"), filters.get("statuses", FLAGGED_STATUSES),
                         filters.get("prefix", ""), limit + 1, before)
        seen += [int.from_bytes(p.pending_id, "big") for p in page[:limit]]
        if len(page) <= limit:
            return seen
        before = (page[limit - 1].updated_at_ms, page[limit - 1].pending_id)
    raise AssertionError("the pages did not end")


def test_pages_are_newest_first_and_keep_every_row_at_equal_times(db: Db) -> None:
    payouts = PayoutStore(db)
    for n, at_ms in enumerate((5_000, 7_000, 7_000, 7_000, 3_000, 9_000), start=1):
        assert payouts.claim(_payout(n, reason=f"PAID_AFTER_ABORT_{3303 if n % 2 else 3143}", at_ms=at_ms))
    assert payouts.claim(_payout(7, status="FAILED", reason="PAYEE_NOT_FOUND", at_ms=8_000))
    assert payouts.claim(_payout(8, at_ms=10_000))  # paid and committed: no reason, not flagged
    assert payouts.claim(_payout(9, fsp="ubumwe", reason="PAID_AFTER_ABORT_3303", at_ms=11_000))
    book = FlaggedPayouts(db)
    everything = [6, 7, 4, 3, 2, 1, 5]
    for limit in (1, 2, 3, 50):
        assert _walk(book, limit) == everything
    assert book.count("mobimo", FLAGGED_STATUSES, "") == 7
    assert _walk(book, 2, statuses=("SUCCESSFUL",)) == [6, 4, 3, 2, 1, 5]
    assert _walk(book, 2, statuses=("FAILED",)) == [7]
    assert _walk(book, 2, prefix="PAID_AFTER_ABORT_3143") == [6, 4, 2]
    assert book.count("mobimo", ("SUCCESSFUL",), "PAID_AFTER_ABORT_3303") == 3
    assert book.count("mobimo", FLAGGED_STATUSES, "PAID%") == 0  # a prefix is text, not a LIKE pattern
    assert book.count("mobimo", FLAGGED_STATUSES, "PAID_AFTER_ABORTX") == 0
    assert _walk(book, 2, fsp="ubumwe") == [9]
    assert book.counts() == [("mobimo", "FAILED", 1), ("mobimo", "SUCCESSFUL", 6), ("ubumwe", "SUCCESSFUL", 1)]


def test_a_flag_and_a_failure_recorded_later_are_listed(db: Db) -> None:
    """The column follows every change of the record: flag_unpaid and put."""
    payouts = PayoutStore(db)
    payouts.claim(_payout(1))
    payouts.claim(_payout(2, status="PENDING"))
    book = FlaggedPayouts(db)
    assert book.count("mobimo", FLAGGED_STATUSES, "") == 0
    assert payouts.flag_unpaid((1).to_bytes(32, "big"), "PAID_AFTER_ABORT_3303", 2_000) is not None
    payouts.put(_payout(2, status="FAILED", reason="NOT_ENOUGH_FUNDS", at_ms=3_000))
    assert _walk(book, 5) == [2, 1]


def test_a_book_from_before_the_reason_column_gets_it_filled_in(tmp_path: Path) -> None:
    path = tmp_path / "remit.db"
    old = sqlite3.connect(path)
    old.executescript(_OLD_SCHEMA)
    encode = msgspec.msgpack.Encoder().encode
    rows = [_payout(1, reason="PAID_AFTER_ABORT_3303", at_ms=2_000), _payout(2, at_ms=3_000),
            _payout(3, status="FAILED", reason="PAYEE_NOT_FOUND", at_ms=4_000)]
    rows += [_payout(n, at_ms=n) for n in range(10, 2_600)]  # more than one batch of the filling in
    old.executemany("INSERT INTO payouts VALUES (?, ?, ?, ?, ?)",
                    [(p.pending_id, p.fsp, p.status, p.updated_at_ms, encode(p)) for p in rows])
    old.commit()
    old.close()
    db = Db(path)
    try:
        book = FlaggedPayouts(db)
        assert _walk(book, 10) == [3, 1]
        kept = PayoutStore(db).get((1).to_bytes(32, "big"))
        assert kept is not None and kept.reason == "PAID_AFTER_ABORT_3303"
    finally:
        db.close()
    reopened = Db(path)  # a second opening changes nothing
    try:
        assert _walk(FlaggedPayouts(reopened), 10) == [3, 1]
    finally:
        reopened.close()
