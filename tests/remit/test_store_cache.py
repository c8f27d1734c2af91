"""The transfer store's records in memory: every read answers what the database holds, whatever the order of
reads, writes and failed units, and the cache stays within its bound."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import msgspec
import pytest

from inzira.remit.records import DecisionRecord, PayoutRecord, QuoteTerms, TimelineStep, TransferRecord, TransferState
from inzira.remit.store.cache import RecordCache
from inzira.remit.store.db import Db
from inzira.remit.store.payouts import PayoutStore
from inzira.remit.store.transfers import QuoteAlreadyUsed, TransferStore


def _terms(quote_id: str) -> QuoteTerms:
    return QuoteTerms(quote_id=quote_id, sending_fsp="eurosend", receiving_fsp="mobimo", fx_member="imari-fx",
                      msisdn="+250780000001", masked_name="J*** U***", source_currency="EUR",
                      amount_sent_minor=10_000, sending_fee_minor=100, target_currency="RWF",
                      gross_target_minor=1_500_000, receiving_fee_minor=1_000, amount_received_minor=1_499_000,
                      rate="150", mid_rate="151", margin_percent="0.66", fx_margin_minor=66, rates_as_of="now",
                      condition=b"c" * 32, fx_quote=b"q", created_at_ms=1, expires_at_ms=10**12)


def _transfer(transfer_id: str, quote_id: str) -> TransferRecord:
    return TransferRecord(transfer_id=transfer_id, sending_fsp="eurosend", receiving_fsp="mobimo",
                          quote_id=quote_id, request_hash=b"h" * 32, state=TransferState.RECEIVED, sender_id="s1",
                          sender_name="Jeanne Uwase", receiver_name="Eric Mugisha", msisdn="+250780000001",
                          source_currency="EUR", amount_sent_minor=10_000, amount_received_minor=1_499_000,
                          created_at_ms=1, updated_at_ms=1, expires_at_ms=0)


def _create(store: TransferStore, transfer: TransferRecord) -> None:
    store.create(transfer, TimelineStep(1, "RECEIVED", "RECEIVED"), DecisionRecord(
        transfer.transfer_id, "eurosend", 1, "pass", "screening"), None)


def _stored(db: Db, transfer_id: str) -> TransferRecord:
    row = db.row("SELECT record FROM transfers WHERE transfer_id = ?", (transfer_id,))
    assert row is not None
    return msgspec.msgpack.decode(row[0], type=TransferRecord)


@pytest.fixture
def db(tmp_path: Path) -> Db:
    opened = Db(tmp_path / "remit.db")
    yield opened  # type: ignore[misc]
    opened.close()


def test_reads_follow_every_write_and_a_second_store_reads_the_same(db: Db) -> None:
    store = TransferStore(db)
    store.put_quote(_terms("q1"))
    assert store.quote("q1") == (_terms("q1"), None)
    _create(store, _transfer("t1", "q1"))
    assert store.quote("q1") == (_terms("q1"), "t1")  # taken by the transfer, in memory as on disk
    reserved = msgspec.structs.replace(store.get("t1"), state=TransferState.RESERVED, updated_at_ms=2)
    store.update(reserved, TimelineStep(2, "RESERVED", "RESERVED"))
    assert store.get("t1") == reserved == _stored(db, "t1")
    cold = TransferStore(db)  # nothing in memory: everything from the file
    assert cold.get("t1") == reserved and cold.quote("q1") == (_terms("q1"), "t1")
    assert store.get("nope") is None and store.quote("nope") is None


def test_a_failed_unit_leaves_memory_as_the_database(db: Db) -> None:
    store = TransferStore(db)
    store.put_quote(_terms("q1"))
    _create(store, _transfer("t1", "q1"))
    with pytest.raises(QuoteAlreadyUsed):  # the quote is taken: the second transfer is rolled back
        _create(store, _transfer("t2", "q1"))
    assert store.get("t2") is None and store.quote("q1") == (_terms("q1"), "t1")
    ghost = msgspec.structs.replace(_transfer("t3", "q1"), state=TransferState.COMMITTED)
    store.update(ghost, None)  # no such row: nothing to remember either
    assert store.get("t3") is None


def test_a_sweep_of_expired_quotes_is_seen(db: Db) -> None:
    store = TransferStore(db)
    store.put_quote(msgspec.structs.replace(_terms("old"), expires_at_ms=5))
    store.put_quote(_terms("live"))
    assert store.prune_quotes(unused_before_ms=6, limit=10) == 1
    assert store.quote("old") is None and store.quote("live") == (_terms("live"), None)


def test_the_cache_keeps_its_bound_and_drops_the_oldest_first(db: Db) -> None:
    store = TransferStore(db, cached_max=3)
    for i in range(5):
        store.put_quote(_terms(f"q{i}"))
        _create(store, _transfer(f"t{i}", f"q{i}"))
    cache = store._transfers  # noqa: SLF001 - the bound is the point
    assert [cache.peek(f"t{i}") is not None for i in range(5)] == [False, False, True, True, True]
    assert store.get("t0") == _stored(db, "t0")  # read back from the file, and now the newest
    assert cache.peek("t0") is not None and cache.peek("t2") is None
    with pytest.raises(ValueError):
        RecordCache(0)


def test_a_read_that_missed_cannot_put_back_a_record_older_than_a_write_made_meanwhile() -> None:
    cache: RecordCache[str, int] = RecordCache(10)
    disk = {"t1": 1}
    loaded, written, go = threading.Event(), threading.Event(), threading.Event()

    def slow_load(key: str) -> int | None:
        found = disk.get(key)  # the older record, read just before a write lands
        loaded.set()
        go.wait(10)
        return found

    def write() -> None:
        with cache.lock:  # as the store writes: the database, then memory, under the lock
            disk["t1"] = 2
            cache.put("t1", 2)
        written.set()

    reader = threading.Thread(target=cache.get, args=("t1", slow_load))
    reader.start()
    assert loaded.wait(10)
    writer = threading.Thread(target=write)
    writer.start()
    written.wait(0.3)  # the writer waits for the read in progress (without the lock it would be done)
    go.set()
    reader.join(10)
    writer.join(10)
    assert cache.get("t1", disk.get) == 2 == disk["t1"]


def _payout(pending_id: bytes, status: str = "NEW") -> PayoutRecord:
    return PayoutRecord(pending_id=pending_id, fsp="mobimo", quote_id="q1", reference_id="r1",
                        msisdn="+250780000001", amount_minor=1_499_000, currency="RWF", status=status,
                        updated_at_ms=1)


def test_a_payout_is_claimed_once_and_reads_follow_its_updates(db: Db) -> None:
    store = PayoutStore(db)
    first = store.claim(_payout(b"p" * 32))
    assert store.claim(_payout(b"p" * 32, status="PENDING")) == first  # the one recorded, not a second
    paid = msgspec.structs.replace(first, status="SUCCESSFUL", updated_at_ms=2)
    store.put(paid)
    assert store.get(b"p" * 32) == paid == PayoutStore(db).get(b"p" * 32)  # as the file holds it
    store.put(_payout(b"x" * 32, status="SUCCESSFUL"))  # never claimed: nothing stored, nothing remembered
    assert store.get(b"x" * 32) is None
    assert [p.pending_id for p in store.in_status(("SUCCESSFUL",), 10)] == [b"p" * 32]


def test_a_one_statement_unit_that_fails_leaves_the_group_and_the_others_whole(db: Db) -> None:
    assert db.write("INSERT INTO thresholds VALUES ('a:rwf', 'a', 1)") == 1
    with pytest.raises(sqlite3.IntegrityError):
        db.write("INSERT INTO thresholds VALUES ('a:rwf', 'a', 2)")  # same key: refused, alone
    assert db.write("UPDATE thresholds SET threshold_minor = 3 WHERE account = 'a:rwf'") == 1
    assert db.write("UPDATE thresholds SET threshold_minor = 4 WHERE account = 'none'") == 0
    assert db.rows("SELECT account, threshold_minor FROM thresholds") == [("a:rwf", 3)]


def test_a_transfer_is_found_by_its_reservation_from_memory_and_from_the_file(db: Db) -> None:
    store = TransferStore(db, cached_max=2)
    for i in range(3):
        store.put_quote(_terms(f"q{i}"))
        _create(store, msgspec.structs.replace(_transfer(f"t{i}", f"q{i}"), reserve_tx_id=bytes([i]) * 32))
    assert [store.by_reserve(bytes([i]) * 32).transfer_id for i in range(3)] == ["t0", "t1", "t2"]
    moved = msgspec.structs.replace(store.get("t2"), reserve_tx_id=b"n" * 32, updated_at_ms=2)
    store.update(moved, None)  # another reservation: the old id no longer names it
    assert store.by_reserve(bytes([2]) * 32) is None
    assert store.by_reserve(b"n" * 32) == moved == TransferStore(db).by_reserve(b"n" * 32)
