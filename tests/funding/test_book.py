"""The funding book itself (``funding.db``, a real SQLite file), as two desks' connections share it: approvals
of two requests naming one settlement reference race and only one claims it; pages walked while requests are
filed in between (many in the same millisecond) miss and repeat nothing."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from dataclasses import astuple
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from inzira.api.problems import Problem
from inzira.funding.paging import request_page
from inzira.funding.store import APPROVING, DEPOSIT, PENDING, REJECTED, TAKEN_NOTE, FundingRequest, FundingStore

RACE_TIMEOUT_S = 30.0


@pytest.fixture
def books(tmp_path: Path) -> Iterator[tuple[FundingStore, FundingStore]]:
    first, second = FundingStore(tmp_path / "funding.db"), FundingStore(tmp_path / "funding.db")
    yield first, second
    first.close()
    second.close()


def _request(holder: str, ref: str, at_ms: int = 1_000) -> FundingRequest:
    return FundingRequest(f"fr-{uuid.uuid4().hex}", DEPOSIT, "sbk", holder, f"{holder}:eur", "EUR", 1_00, ref,
                          PENDING, at_ms, at_ms + 10**9, None, "", None, None, None, None)


def _race(calls: list[Callable[[], bool]]) -> list[bool]:
    barrier = threading.Barrier(len(calls), timeout=RACE_TIMEOUT_S)

    def run(call: Callable[[], bool]) -> bool:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result(timeout=RACE_TIMEOUT_S) for f in [pool.submit(run, c) for c in calls]]


def test_two_approvals_of_one_reference_racing_on_two_connections_claim_once(
        books: tuple[FundingStore, FundingStore]) -> None:
    for round_ in range(30):
        ref = f"wire-{round_}"
        filed = [books[0].add(_request(holder, ref if n % 2 else ref.upper().replace("-", "- ")), 100)
                 for n, holder in enumerate(("eurosend", "silkpay", "imari-fx"))]
        assert all(f is not None and f.state == PENDING for f in filed)
        ids = [f.id for f in filed if f is not None]
        for n, request_id in enumerate(ids):
            assert books[n % 2].approve(request_id, "sbk/officer-1", 2_000) == 1
        claimed = _race([lambda n=n, i=i: books[n % 2].claim(i, 2_000, "", b"tx", i.encode())  # type: ignore[misc]
                         for n, i in enumerate(ids)])
        assert sorted(claimed) == [False, False, True], round_
        states = [books[1].get(i).state for i in ids]  # type: ignore[union-attr]
        assert sorted(states) == [APPROVING, REJECTED, REJECTED]
        winner = ids[claimed.index(True)]
        for request_id in ids:
            request = books[0].get(request_id)
            assert request is not None
            assert books[0].taken_by(request) == (None if request_id == winner else winner)
        # Nothing claims it again, on either connection, and no other holder files it.
        assert not any(books[n % 2].claim(i, 3_000, "", b"tx", b"id") for n, i in enumerate(ids))
        taken = books[1].add(_request("ubumwe", ref), 100)
        assert taken is not None and taken.id == winner


def test_pages_walked_while_requests_arrive_miss_and_repeat_nothing(books: tuple[FundingStore, FundingStore]) -> None:
    book, other = books
    before = {book.add(_request(f"h{n % 3}", f"ref-{n}", at_ms=1_000 + n // 4), 100).id  # type: ignore[union-attr]
              for n in range(23)}  # four to a millisecond: ties broken by id
    seen: list[str] = []
    cursor: str | None = None
    for page_no in range(50):
        page, cursor = request_page(book, ("sbk",), None, None, 5, cursor, 2_000)
        assert len(page) <= 5
        seen += [r.id for r in page]
        # Filed between pages, by another connection: newer, and in the same millisecond as the page's last row.
        other.add(_request("late", f"late-{page_no}", at_ms=9_000 + page_no), 100)
        if page:
            other.add(_request("late", f"tie-{page_no}", at_ms=page[-1].created_at_ms), 100)
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) and before <= set(seen)
    mine, cursor = request_page(book, None, "h1", None, 100, None, 2_000)
    assert cursor is None and {r.holder for r in mine} == {"h1"} and len(mine) == 8


@pytest.mark.parametrize("cursor", ["x", "=" * 10, "A" * 201,
                                    "bm90LWEtY3Vyc29y",  # "not-a-cursor"
                                    "OmZyLTE=", "LTE6ZnItMQ==", "MTo=",  # ":fr-1", "-1:fr-1", "1:"
                                    "OTk5OTk5OTk5OTk5OTk5OTk5OTk6ZnItMQ==",  # past any time in ms
                                    "MS41OmZyLTE=", "2aM6ZnItMQ=="])  # "1.5:fr-1", an Arabic-Indic digit
def test_a_cursor_the_api_did_not_give_out_is_a_400(books: tuple[FundingStore, FundingStore], cursor: str) -> None:
    with pytest.raises(Problem) as refused:
        request_page(books[0], None, None, None, 5, cursor, 2_000)
    assert (refused.value.status, refused.value.code) == (400, 3100)


def test_a_book_from_before_keeps_its_requests_and_takes_contested_ones(tmp_path: Path) -> None:
    book = FundingStore(tmp_path / "funding.db")
    first = book.add(_request("eurosend", "wire-1"), 100)
    with book._lock:  # the unique index the book had when filing decided whose a reference was
        book._conn.execute("DROP INDEX requests_taking_reference")
        book._conn.execute("CREATE UNIQUE INDEX requests_by_reference_key ON requests "
                           "(issuer, kind, upper(replace(reference, ' ', '')))")
    book.close()
    reopened = FundingStore(tmp_path / "funding.db")
    try:
        assert first is not None and reopened.get(first.id) == first
        contested = reopened.add(_request("silkpay", "WIRE-1"), 100)
        assert contested is not None and contested.id != first.id
        assert reopened.contested_by(first, 10, 2_000) == [contested.id]
    finally:
        reopened.close()


def test_a_book_from_before_keeps_its_requests_and_files_again_after_a_failure(tmp_path: Path) -> None:
    """A book made when a holder had one request per reference (a unique index on it) takes a new request for a
    reference whose issuance failed."""
    book = FundingStore(tmp_path / "funding.db")
    first = book.add(_request("eurosend", "wire-1"), 100)
    assert first is not None and book.approve(first.id, "sbk/officer-1", 2_000) == 1
    assert book.claim(first.id, 2_000, "", b"tx", b"id")
    book.settle(first.id, False, 3201, 7)
    with book._lock:
        book._conn.execute("DROP INDEX requests_by_reference")
        book._conn.execute("CREATE UNIQUE INDEX requests_by_reference_holder ON requests "
                           "(issuer, kind, upper(replace(reference, ' ', '')), holder)")
    book.close()
    reopened = FundingStore(tmp_path / "funding.db")
    try:
        again = reopened.add(_request("eurosend", "wire-1", 3_000), 100)
        assert again is not None and again.id != first.id and again.state == PENDING
    finally:
        reopened.close()


def test_claims_racing_for_a_reference_freed_by_a_failure_take_it_once(
        books: tuple[FundingStore, FundingStore]) -> None:
    for round_ in range(20):
        ref = f"freed-{round_}"
        failed = books[0].add(_request("eurosend", ref), 100)
        assert failed is not None and books[0].approve(failed.id, "sbk/officer-1", 2_000) == 1
        assert books[0].claim(failed.id, 2_000, "", b"tx", b"id")
        assert books[1].add(_request("silkpay", ref), 100).id == failed.id  # type: ignore[union-attr]  # taken
        books[1].settle(failed.id, False, 3201, 5)  # refused for good: nothing issued
        filed = [books[n % 2].add(_request(holder, ref, 3_000), 100)
                 for n, holder in enumerate(("eurosend", "silkpay", "imari-fx"))]
        ids = [f.id for f in filed if f is not None]
        assert len(set(ids)) == 3 and failed.id not in ids
        for n, request_id in enumerate(ids):
            assert books[n % 2].approve(request_id, "sbk/officer-1", 3_000) == 1
        claimed = _race([lambda n=n, i=i: books[n % 2].claim(i, 3_000, "", b"tx", i.encode())  # type: ignore[misc]
                         for n, i in enumerate(ids)])
        assert sorted(claimed) == [False, False, True], round_
        assert sorted(books[1].get(i).state for i in ids) == [APPROVING, REJECTED, REJECTED]  # type: ignore[union-attr]
    with books[0]._lock, pytest.raises(sqlite3.IntegrityError):  # the book itself holds one taker per reference
        books[0]._conn.execute("UPDATE requests SET state = 'approving' WHERE reference = 'freed-0' AND state = ?",
                               (REJECTED,))


def test_an_officers_rejection_stands_whatever_its_note_says(books: tuple[FundingStore, FundingStore]) -> None:
    """Only the desk's own rejection (another request took the reference) is lifted once the reference is free
    again; an officer's stands even when the officer typed the desk's words, and names the officer."""
    book = books[0]
    filed = book.add(_request("eurosend", "wire-77"), 100)
    assert filed is not None and book.reject(filed.id, "sbk/officer-2", 2_000, TAKEN_NOTE)
    again = book.add(_request("eurosend", "wire-77", at_ms=3_000), 100)
    assert again is not None and again.id == filed.id and again.state == REJECTED
    assert again.rejected_by == "sbk/officer-2" and again.note == TAKEN_NOTE


def test_a_book_from_before_rejections_named_their_officer_keeps_them(tmp_path: Path) -> None:
    """A funding.db written before the column: its officers' rejections stand (officer unknown), the desk's own
    are lifted as before."""
    path = tmp_path / "funding.db"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE requests (id TEXT PRIMARY KEY, kind TEXT NOT NULL, issuer TEXT NOT NULL, holder TEXT "
                "NOT NULL, account TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, reference "
                "TEXT NOT NULL, state TEXT NOT NULL, created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, "
                "decided_at_ms INTEGER, note TEXT NOT NULL, signed_tx BLOB, tx_id BLOB, code INTEGER, height INTEGER)")
    by_officer, by_desk = _request("eurosend", "wire-1"), _request("silkpay", "wire-2")
    for request, note in ((by_officer, "no such payment on the statement"), (by_desk, TAKEN_NOTE)):
        old.execute("INSERT INTO requests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*astuple(request)[:8], REJECTED, *astuple(request)[9:12], note, None, None, None, None))
    old.commit()
    old.close()
    book = FundingStore(path)
    try:
        stands = book.add(_request("eurosend", "wire-1", at_ms=3_000), 100)
        assert stands is not None and stands.id == by_officer.id and stands.rejected_by == ""
        lifted = book.add(_request("silkpay", "wire-2", at_ms=3_000), 100)
        assert lifted is not None and lifted.id != by_desk.id and lifted.state == PENDING
    finally:
        book.close()
