"""Transactions waiting to be published: filled by API threads, drained in batches by the publisher task.

Bounded: when it is full, submitters are told the ledger is busy. A submitter wakes the event loop only
when the box was empty, so a burst of thousands costs one wake-up, not thousands.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from inzira.peer.tx_batch import ENVELOPE_BYTES, TX_BATCH_BYTES_MAX, TX_BATCH_TXS_MAX

OUTBOX_TXS_MAX = 100_000
LINGER_MS = 2  # after the first transaction, wait this long for company: fuller batches, few messages

Item = tuple[bytes, bytes]  # (hash of the exact bytes, signed transaction)


class Outbox:
    def __init__(self, capacity: int = OUTBOX_TXS_MAX, batch_txs_max: int = TX_BATCH_TXS_MAX) -> None:
        if not 1 <= batch_txs_max <= TX_BATCH_TXS_MAX:
            raise ValueError(f"batch_txs_max must be in 1..{TX_BATCH_TXS_MAX}")
        self.capacity = capacity
        self.batch_txs_max = batch_txs_max  # no bigger than a block holds: a batch is never split
        self._items: deque[Item] = deque()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None

    def __len__(self) -> int:
        return len(self._items)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the publisher's loop (call on that loop)."""
        self._loop, self._ready = loop, asyncio.Event()
        if self._items:
            self._ready.set()

    def put(self, key: bytes, raw: bytes) -> bool:
        """Queue one transaction (any thread); False when the box is full."""
        with self._lock:
            if len(self._items) >= self.capacity:
                return False
            was_empty = not self._items
            self._items.append((key, raw))
        if was_empty and self._loop is not None and self._ready is not None:
            try:
                self._loop.call_soon_threadsafe(self._ready.set)
            except RuntimeError:  # the loop is closed: the peer is stopping
                pass
        return True

    async def take(self, batches_max: int) -> list[list[Item]]:
        """Wait for transactions, linger a moment, then take up to ``batches_max`` batches (each within the
        batch limits)."""
        if self._ready is None:
            raise RuntimeError("outbox not bound to a loop")
        while not self._items:
            self._ready.clear()
            if not self._items:
                await self._ready.wait()
        if len(self._items) < self.batch_txs_max:
            await asyncio.sleep(LINGER_MS / 1000)
        batches: list[list[Item]] = []
        with self._lock:
            items = self._items
            while items and len(batches) < batches_max:
                batch: list[Item] = []
                size = 0
                while items and len(batch) < self.batch_txs_max:
                    need = len(items[0][1]) + ENVELOPE_BYTES
                    if batch and size + need > TX_BATCH_BYTES_MAX:
                        break
                    batch.append(items.popleft())
                    size += need
                batches.append(batch)
        return batches

    def drain(self) -> list[Item]:
        """Everything still queued (the peer is stopping)."""
        with self._lock:
            items, self._items = list(self._items), deque()
        return items
