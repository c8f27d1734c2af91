"""The event feed: every committed block, with the verdict of each transaction, for services and pages.

Each subscriber has a bounded queue. A subscriber that falls behind is dropped (told so by a final
``None``) rather than slowing the ledger down; it catches up from the store by height and subscribes again.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
import queue
import threading
from dataclasses import dataclass

SUBSCRIBER_QUEUE_MAX = 10_000
SUBSCRIBERS_MAX = 1_000


@dataclass(frozen=True, slots=True)
class TxEvent:
    tx_id: bytes
    index: int
    code: int
    at: int
    kind: str  # the operation's name: Transfer, PostPending, ...
    submitter: str
    ref: str
    memo: str


@dataclass(frozen=True, slots=True)
class BlockEvent:
    height: int
    block_hash: bytes
    timestamp_ms: int
    txs: tuple[TxEvent, ...]
    expired: tuple[bytes, ...]  # pending transfers voided by their deadline at this block


class FeedFull(RuntimeError):
    """Too many subscribers."""


class Subscription(ABC):
    """A bounded queue of events; ``None`` on it means "you were dropped: catch up from the store"."""

    def __init__(self, feed: "Feed") -> None:
        self._feed = feed
        self.dropped = False

    @abstractmethod
    def offer(self, event: BlockEvent) -> bool:
        """Queue an event; False when the queue is full."""

    @abstractmethod
    def drop(self) -> None:
        """Empty the queue and leave ``None`` on it."""

    def close(self) -> None:
        self._feed.unsubscribe(self)


class ThreadSubscription(Subscription):
    def __init__(self, feed: "Feed", maxsize: int) -> None:
        super().__init__(feed)
        self.queue: queue.Queue[BlockEvent | None] = queue.Queue(maxsize)

    def offer(self, event: BlockEvent) -> bool:
        try:
            self.queue.put_nowait(event)
            return True
        except queue.Full:
            return False

    def drop(self) -> None:
        self.dropped = True
        with self.queue.mutex:
            self.queue.queue.clear()
        self.queue.put_nowait(None)


class AsyncSubscription(Subscription):
    def __init__(self, feed: "Feed", loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        super().__init__(feed)
        self.loop = loop
        self.maxsize = maxsize
        self.queue: asyncio.Queue[BlockEvent | None] = asyncio.Queue()
        self._in_flight = 0  # events handed to the loop, not yet on the queue
        self._lock = threading.Lock()

    def _put(self, event: BlockEvent | None) -> None:
        with self._lock:
            self._in_flight -= 1
        if event is None:
            while not self.queue.empty():
                self.queue.get_nowait()
        self.queue.put_nowait(event)

    def _send(self, event: BlockEvent | None) -> bool:
        with self._lock:
            if event is not None and self._in_flight + self.queue.qsize() >= self.maxsize:
                return False
            self._in_flight += 1
        try:
            self.loop.call_soon_threadsafe(self._put, event)
        except RuntimeError:  # the loop is closed: the subscriber is gone
            return False
        return True

    def offer(self, event: BlockEvent) -> bool:
        return self._send(event)

    def drop(self) -> None:
        self.dropped = True
        self._send(None)


class Feed:
    def __init__(self) -> None:
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()

    def _add(self, sub: Subscription) -> Subscription:
        with self._lock:
            if len(self._subs) >= SUBSCRIBERS_MAX:
                raise FeedFull("too many event subscribers")
            self._subs.append(sub)
        return sub

    def subscribe(self, maxsize: int = SUBSCRIBER_QUEUE_MAX) -> ThreadSubscription:
        """For a thread: events arrive on ``sub.queue``, a standard queue."""
        return self._add(ThreadSubscription(self, maxsize))

    def subscribe_async(self, loop: asyncio.AbstractEventLoop,
                        maxsize: int = SUBSCRIBER_QUEUE_MAX) -> AsyncSubscription:
        """For asyncio code (server-sent events): events arrive on ``sub.queue``, an asyncio queue."""
        return self._add(AsyncSubscription(self, loop, maxsize))

    @property
    def subscribers(self) -> int:
        return len(self._subs)

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    def publish(self, event: BlockEvent) -> None:
        with self._lock:
            subs = list(self._subs)
        for sub in subs:
            if not sub.offer(event):
                self.unsubscribe(sub)
                sub.drop()
