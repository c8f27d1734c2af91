"""Fan-out of committed events to open server-sent event streams, by topic ("m:<merchant>", "b:<bill>",
"w:<wallet>").

The store writer publishes from its thread; each stream reads an asyncio queue on its own loop. Events
published in a burst reach a loop in one wake-up (waking a loop from another thread costs a system call),
and a queue that is full marks its stream as behind instead of growing: the stream then reads what it
missed from the store, so a slow page never slows payments down and never loses an event. Each merchant (its
own and its bills' streams) and each wallet has a share of the streams, so one token cannot hold them all.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque

from inzira.qr.live.events import StoredEvent


class HubFull(RuntimeError):
    """Too many open streams."""


class Subscription:
    """One stream's events, on its own loop: ``ready`` is set while there is something to take."""

    def __init__(self, hub: "Hub", topic: str, owner: str, queue_max: int) -> None:
        self.hub = hub
        self.topic = topic
        self.owner = owner  # whose share it takes: "m:<merchant>" (its bills' streams too) or "w:<wallet>"
        self.queue_max = queue_max
        self.events: deque[StoredEvent] = deque()
        self.ready = asyncio.Event()
        self.behind = False  # events were dropped: catch up from the store

    def put(self, event: StoredEvent) -> None:
        """On the subscription's loop."""
        if len(self.events) >= self.queue_max:
            self.behind = True
        else:
            self.events.append(event)
        self.ready.set()

    def take(self) -> list[StoredEvent]:
        taken = list(self.events)
        self.events.clear()
        self.ready.clear()
        return taken

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Hub:
    def __init__(self, streams_max: int, queue_max: int, owner_streams_max: int) -> None:
        self.streams_max = streams_max
        self.queue_max = queue_max
        self.owner_streams_max = owner_streams_max
        self._topics: dict[str, list[Subscription]] = {}
        self._count = 0
        self._owned: dict[str, int] = {}  # open streams by owner
        self._lock = threading.Lock()
        self._loops: dict[Subscription, asyncio.AbstractEventLoop] = {}
        self._pending: dict[asyncio.AbstractEventLoop, list[tuple[Subscription, StoredEvent]]] = {}

    @property
    def streams(self) -> int:
        return self._count

    def full_for(self, owner: str) -> str | None:
        """Why a new stream of ``owner`` would be refused now, or None."""
        with self._lock:
            return self._full(owner)

    def _full(self, owner: str) -> str | None:
        if self._count >= self.streams_max:
            return "too many open event streams"
        if self._owned.get(owner, 0) >= self.owner_streams_max:
            return f"{self.owner_streams_max} event streams of this merchant or wallet are open already"
        return None

    def subscribe(self, topic: str, owner: str, loop: asyncio.AbstractEventLoop) -> Subscription:
        sub = Subscription(self, topic, owner, self.queue_max)
        with self._lock:
            full = self._full(owner)
            if full is not None:
                raise HubFull(full)
            self._topics.setdefault(topic, []).append(sub)
            self._loops[sub] = loop
            self._count += 1
            self._owned[owner] = self._owned.get(owner, 0) + 1
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._topics.get(sub.topic)
            if subs is None or sub not in subs:
                return
            subs.remove(sub)
            self._loops.pop(sub, None)
            self._count -= 1
            owned = self._owned[sub.owner] - 1
            if owned:
                self._owned[sub.owner] = owned
            else:
                del self._owned[sub.owner]
            if not subs:
                del self._topics[sub.topic]

    def publish(self, event: StoredEvent) -> None:
        """From any thread. A loop already due to be woken takes the event in the same wake-up."""
        wake: list[asyncio.AbstractEventLoop] = []
        with self._lock:
            for topic in event.topics():
                for sub in self._topics.get(topic, ()):
                    loop = self._loops[sub]
                    pending = self._pending.get(loop)
                    if pending is None:
                        pending = self._pending[loop] = []
                        wake.append(loop)
                    pending.append((sub, event))
        for loop in wake:
            try:
                loop.call_soon_threadsafe(self._deliver, loop)
            except RuntimeError:  # the loop is closed: its streams are gone
                self._drop_loop(loop)

    def wake(self, owner: str) -> None:
        """From any thread: ``owner``'s streams look again at once, e.g. whether their token still opens them."""
        with self._lock:
            subs = [(sub, loop) for sub, loop in self._loops.items() if sub.owner == owner]
        for sub, loop in subs:
            try:
                loop.call_soon_threadsafe(sub.ready.set)
            except RuntimeError:  # the loop is closed: its streams are gone
                self._drop_loop(loop)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            pending = self._pending.pop(loop, [])
        for sub, event in pending:
            sub.put(event)

    def _drop_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            self._pending.pop(loop, None)
            gone = [sub for sub, its_loop in self._loops.items() if its_loop is loop]
        for sub in gone:
            self.unsubscribe(sub)
