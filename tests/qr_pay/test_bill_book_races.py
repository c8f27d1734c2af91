"""The bill book is a cache of qr.db's bills: a bill read from the store while a commit changed or deleted it must
not be kept. Before, the read landed in the book after the commit's own update of it: the book showed the bill
OPEN after it was paid (visitors scanning it were offered a quote for a paid bill) or kept a deleted bill by its
number, until evicted. On a real qr.db with the service's own writer; the reader is the real one, with a hook
that runs the concurrent commit between its read and its return."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from inzira.qr.bill_book import BillBook
from inzira.qr.records import OPEN, PAID, Bill
from inzira.qr.settings import QrSettings
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.schema import DB_FILE
from inzira.qr.store.writer import WriteTx
from tests.qr_pay.test_bill_upkeep import JOB_TIMEOUT_S, KEPT_MS, Store


class Overlapped(StoreReader):
    """The real reader; the first read of a bill is overlapped by ``meanwhile``, a commit and the book's update."""

    def __init__(self, path: str, meanwhile: Callable[[], None]) -> None:
        super().__init__(path)
        self.meanwhile: Callable[[], None] | None = meanwhile

    def _overlap(self, found: Bill | None) -> Bill | None:
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return found

    def bill(self, bill_id: str) -> Bill | None:
        return self._overlap(super().bill(bill_id))

    def bill_by_number(self, merchant_id: str, bill_number: str) -> Bill | None:
        return self._overlap(super().bill_by_number(merchant_id, bill_number))


def test_a_bill_paid_while_it_was_read_is_not_kept_open(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        store.bill("b1", OPEN, -60_000)

        def paid() -> None:
            def job(tx: WriteTx) -> None:
                tx.execute("UPDATE bills SET status = ?, payment_id = ? WHERE id = ?", (PAID, "pay_b1", "b1"))
                tx.after_commit(lambda: book.changed("b1", PAID, "pay_b1"))

            store.writer.submit(job).result(JOB_TIMEOUT_S)

        book = BillBook(Overlapped(str(tmp_path / DB_FILE), paid), 100)
        assert book.by_id("b1").status == OPEN  # type: ignore[union-attr]  # read before the commit
        assert book.by_id("b1").status == PAID  # type: ignore[union-attr]
        assert book.by_number("m1", "B1").status == PAID  # type: ignore[union-attr]
    finally:
        store.close()


def test_a_bill_deleted_while_it_was_read_is_not_kept_by_its_number(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        store.bill("gone", OPEN, KEPT_MS + 1)
        book = store.book = BillBook(Overlapped(str(tmp_path / DB_FILE), lambda: store.upkeep(QrSettings()).run_pass()),
                                     100)
        assert book.by_number("m1", "GONE") is not None  # read before the deletion
        assert book.by_number("m1", "GONE") is None and book.by_id("gone") is None
    finally:
        store.close()
