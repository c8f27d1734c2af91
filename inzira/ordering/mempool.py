"""The mempool: transactions waiting to be ordered, bounded, taken a block at a time.

One lock for a whole batch (not one per transaction, as a ``queue.Queue`` would take), so a client that
submits thousands at once pays for one hand-over. A submitter wakes the taker only when it has something to
do: the first item came, or enough to stop gathering. Woken on every submission, the taker took the
interpreter lock from the submitting thread each time to go back to sleep (~3 % of the remittance server's
lock in wake-ups alone).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Generic, Sequence, TypeVar

T = TypeVar("T")


class Mempool(Generic[T]):
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: deque[T] = deque()
        self._closed = False
        self._cond = threading.Condition(threading.Lock())
        self._gathering_max = 0  # while a taker gathers: the items it waits for (0: none gathering)

    def __len__(self) -> int:
        return len(self._items)

    def put_many(self, items: Sequence[T], timeout_s: float) -> bool:
        """Add all of ``items`` (waiting up to ``timeout_s`` for room); False if there was no room."""
        if len(items) > self.capacity:
            return False
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while len(self._items) + len(items) > self.capacity:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return False
                self._cond.wait(remaining)
            if self._closed:
                return False
            was_empty = not self._items
            self._items.extend(items)
            if was_empty or 0 < self._gathering_max <= len(self._items):
                self._cond.notify_all()
        return True

    def take(self, max_items: int, gather_s: float, idle_s: float | None = None) -> list[T] | None:
        """Wait for a first item, then up to ``gather_s`` for ``max_items``; None once closed and empty.

        With ``idle_s``, an empty list when nothing arrived for that long (the caller's chance to do timed work).
        """
        idle_deadline = None if idle_s is None else time.monotonic() + idle_s
        with self._cond:
            while not self._items:
                if self._closed:
                    return None
                if idle_deadline is None:
                    self._cond.wait()
                    continue
                remaining = idle_deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)
            deadline = time.monotonic() + gather_s
            self._gathering_max = max_items
            try:
                while len(self._items) < max_items and not self._closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
            finally:
                self._gathering_max = 0
            count = min(max_items, len(self._items))
            batch = [self._items.popleft() for _ in range(count)]
            self._cond.notify_all()  # room for waiting submitters
            return batch

    def close(self) -> None:
        """No more items; ``take`` drains what is left, then returns None."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
