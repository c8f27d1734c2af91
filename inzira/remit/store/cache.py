"""A bounded write-through cache of a store's records, so the hot path reads its live rows from memory.

A remittance reads its transfer record about ten times and its quote about four (each transition, payout
step and view starts from the current record): ~14 of the ~60 SQL statements it cost, each decoded again.
The store writes a record here only after the unit that wrote it to the database succeeded, and under the
store's lock, so a read that missed cannot put back a value older than a write made meanwhile. The oldest
entry goes first when the cache is full; a missing entry is only a database read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecordCache(Generic[K, V]):
    def __init__(self, entries_max: int) -> None:
        if entries_max < 1:
            raise ValueError("a record cache holds at least one entry")
        self.entries_max = entries_max
        self.lock = threading.RLock()  # held by the store across a write and its cache update
        self._entries: dict[K, V] = {}

    def get(self, key: K, load: Callable[[K], V | None]) -> V | None:
        """The cached value, else ``load(key)`` (cached when found)."""
        found = self._entries.get(key)
        if found is not None:
            return found
        with self.lock:
            found = self._entries.get(key)
            if found is None:
                found = load(key)
                if found is not None:
                    self.put(key, found)
            return found

    def put(self, key: K, value: V) -> None:
        """With ``lock`` held, after the database holds ``value``."""
        self._entries.pop(key, None)  # re-inserted last: the newest write is the last to go
        while len(self._entries) >= self.entries_max:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = value

    def peek(self, key: K) -> V | None:
        return self._entries.get(key)

    def clear(self) -> None:
        with self.lock:
            self._entries.clear()
