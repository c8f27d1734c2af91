"""Bills in memory, by id and by (merchant, bill number): every scan and quote of a dynamic QR reads one.

Every change to a bill is a store job of this service, so the book follows the store exactly: a job that
creates a bill, changes its status or deletes it (``inzira.qr.upkeep``) updates the book after its commit. A
bill not in the book (evicted, or from before a restart) is read from the store. The store stays the authority
where it matters: claiming a bill for a payment reads and changes it inside the writer's transaction.

A bill read from the store is kept only if no commit changed the book while it was read: otherwise the read
(from before that commit) could land after the commit's own update and stay, a paid bill shown OPEN.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from typing import Callable

from inzira.qr.records import Bill
from inzira.qr.store.reader import StoreReader


class BillBook:
    def __init__(self, reader: StoreReader, size_max: int) -> None:
        self.reader = reader
        self.size_max = size_max
        self._by_id: OrderedDict[str, Bill] = OrderedDict()
        self._ids: dict[tuple[str, str], str] = {}  # (merchant id, bill number) -> bill id
        self._lock = threading.Lock()
        self._changes = 0  # commits applied to the book so far

    def _keep(self, bill: Bill) -> None:
        self._by_id[bill.id] = bill
        self._by_id.move_to_end(bill.id)
        self._ids[(bill.merchant_id, bill.bill_number)] = bill.id
        while len(self._by_id) > self.size_max:
            _, old = self._by_id.popitem(last=False)
            self._ids.pop((old.merchant_id, old.bill_number), None)

    def _read(self, read: Callable[[], Bill | None], changes: int) -> Bill | None:
        """A bill from the store, kept unless a commit reached the book since ``changes`` was taken."""
        bill = read()
        if bill is not None:
            with self._lock:
                if self._changes == changes:
                    self._keep(bill)
        return bill

    def by_id(self, bill_id: str) -> Bill | None:
        with self._lock:
            bill, changes = self._by_id.get(bill_id), self._changes
        return bill or self._read(lambda: self.reader.bill(bill_id), changes)

    def by_number(self, merchant_id: str, bill_number: str) -> Bill | None:
        with self._lock:
            bill_id = self._ids.get((merchant_id, bill_number))
            bill, changes = None if bill_id is None else self._by_id.get(bill_id), self._changes
        return bill or self._read(lambda: self.reader.bill_by_number(merchant_id, bill_number), changes)

    def added(self, bill: Bill) -> None:
        """After the commit that stored ``bill``."""
        with self._lock:
            self._changes += 1
            self._keep(bill)

    def forgotten(self, bill_ids: list[str]) -> None:
        """After the commit that deleted these bills (expired unpaid long ago)."""
        with self._lock:
            self._changes += 1
            for bill_id in bill_ids:
                bill = self._by_id.pop(bill_id, None)
                if bill is not None:
                    self._ids.pop((bill.merchant_id, bill.bill_number), None)

    def changed(self, bill_id: str, status: str, payment_id: str | None) -> None:
        """After the commit that changed a bill's status."""
        with self._lock:
            self._changes += 1
            bill = self._by_id.get(bill_id)
            if bill is not None:
                self._by_id[bill_id] = dataclasses.replace(bill, status=status, payment_id=payment_id)
