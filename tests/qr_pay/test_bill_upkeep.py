"""Bills expired unpaid are deleted once they are older than the retention (``bills_expired_kept_days``): the daily
cap bounded how many a merchant adds, but every one stayed a row of qr.db for good. Paid bills and bills being
paid stay; recent ones stay. On a real qr.db with the service's own writer, and through the API: a visitor who
scans or pays a bill deleted so gets a 4xx that says why, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from inzira.qr.bill_book import BillBook
from inzira.qr.codes import QrCode
from inzira.qr.records import OPEN, PAID, PAYING, Bill, insert_sql, values
from inzira.qr.settings import DAY_MS, QrSettings
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.schema import DB_FILE
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.qr.upkeep import Upkeep
from tests.qr_pay.helpers import Qr, created, problem

NOW_MS = 1_800_000_000_000
KEPT_MS = QrSettings().bills_expired_kept_days * DAY_MS
JOB_TIMEOUT_S = 10.0


class Store:
    def __init__(self, folder: Path) -> None:
        path = str(folder / DB_FILE)
        self.writer = StoreWriter(path, 100, 10)
        self.writer.start()
        self.reader = StoreReader(path)
        self.book = BillBook(self.reader, 100)
        self.now_ms = NOW_MS

    def close(self) -> None:
        self.writer.stop()
        self.reader.close()

    def bill(self, name: str, status: str, expired_ago_ms: int) -> Bill:
        expires_ms = self.now_ms - expired_ago_ms
        bill = Bill(name, "m1", name.upper(), 1_000, "RWF", "payload", None, expires_ms - 60_000, expires_ms, status,
                    None if status == OPEN else f"pay_{name}")

        def job(tx: WriteTx) -> None:
            tx.execute(insert_sql("bills", Bill), values(bill))

        self.writer.submit(job).result(JOB_TIMEOUT_S)
        return bill

    def event(self, at_ms: int) -> None:
        def job(tx: WriteTx) -> None:
            tx.execute("INSERT INTO events (kind, merchant_id, at_ms, data) VALUES ('x', 'm1', ?, x'00')", (at_ms,))

        self.writer.submit(job).result(JOB_TIMEOUT_S)

    def upkeep(self, settings: QrSettings, batches_max: int = 100) -> Upkeep:
        return Upkeep(settings, self.writer, self.book, lambda: self.now_ms, batches_max)

    def ids(self) -> set[str]:
        return {row[0] for row in self.reader.all("SELECT id FROM bills", ())}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path)
    yield opened
    opened.close()


def test_bills_expired_unpaid_beyond_the_retention_go_paid_and_recent_ones_stay(store: Store) -> None:
    gone = store.bill("gone", OPEN, KEPT_MS + 1)
    store.bill("recent", OPEN, KEPT_MS - 60_000)  # expired unpaid, but not that long ago
    store.bill("paid", PAID, 30 * DAY_MS)  # a record: its payment names it
    store.bill("paying", PAYING, 30 * DAY_MS)  # a payment on its way holds it
    store.bill("open", OPEN, -60_000)  # not expired
    store.event(NOW_MS - QrSettings().events_retention_ms - 1)
    store.event(NOW_MS - 1_000)
    assert store.book.by_id("gone") == gone  # remembered in the book: forgotten there too once deleted

    swept = store.upkeep(QrSettings()).run_pass()
    assert (swept.events, swept.bills) == (1, 1)
    assert store.ids() == {"recent", "paid", "paying", "open"}
    assert store.book.by_id("gone") is None and store.book.by_number("m1", "GONE") is None
    assert store.reader.all("SELECT count(*) FROM events", ()) == [(1,)]
    assert store.upkeep(QrSettings()).run_pass().bills == 0  # a second pass finds nothing more


def test_a_pass_deletes_in_bounded_batches_oldest_first(store: Store) -> None:
    for name, ago_days in (("b1", 30), ("b2", 20), ("b3", 10)):
        store.bill(name, OPEN, ago_days * DAY_MS)
    one_small_batch = store.upkeep(replace(QrSettings(), upkeep_batch_rows=2), batches_max=1)
    assert one_small_batch.run_pass().bills == 2
    assert store.ids() == {"b3"}
    assert one_small_batch.run_pass().bills == 1 and store.ids() == set()


def test_scanning_or_paying_a_deleted_bill_is_a_clear_4xx(qr: Qr) -> None:
    service = qr.server.service
    assert service is not None
    merchant = qr.merchant()
    bill = qr.bill(merchant, 1_500, expires_in_ms=60_000)
    wallet = qr.wallet("CNY", topup_minor=100_00)
    quote = created(qr.quote(wallet, bill["payload"]))  # taken while the bill was open
    # The service's own writer and book, a clock past the bill's expiry and its retention.
    later = Upkeep(service.settings, service.writer, service.bills,
                   lambda: bill["expires_at_ms"] + KEPT_MS + 1)
    assert later.run_pass().bills >= 1

    seen = qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}")
    problem(seen, 404, QrCode.BILL_NOT_FOUND)
    scanned = problem(qr.quote(wallet, bill["payload"]), 404, QrCode.BILL_NOT_FOUND)
    assert f"has no bill {bill['bill_number']}" in scanned["detail"] and "forgotten 7 days after" in scanned["detail"]
    paid = problem(qr.pay(wallet, quote["quote_id"]), 410, QrCode.BILL_EXPIRED)
    assert bill["bill_number"] in paid["detail"]
