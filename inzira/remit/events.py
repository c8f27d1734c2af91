"""The service's event hub: every status change and alert, to server-sent event streams and webhooks.

Publishing is allowed from any thread. Each subscriber (an event stream, a long-poll waiting for a final
state) lives on an asyncio loop and has a bounded queue; one that falls behind is dropped (told so by a
final ``None``) rather than slowing the service down. Listeners (the webhook dispatcher) are called in the
publishing thread and must only hand the event on.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RemitEvent:
    seq: int
    type: str  # "transfer" (a state change or a step) or "alert"
    at_ms: int
    members: frozenset[str]  # whom it concerns
    transfer_id: str | None
    data: dict[str, Any]

    def json(self) -> dict[str, Any]:
        return {"id": self.seq, "type": self.type, "at_ms": self.at_ms, "transfer_id": self.transfer_id,
                "data": self.data}


class HubFull(RuntimeError):
    """Too many subscribers (in all, or of one member)."""


class EventSubscription:
    def __init__(self, hub: "EventHub", loop: asyncio.AbstractEventLoop, transfer_id: str | None,
                 member: str | None, sees_all: bool, maxsize: int, owner: str | None = None) -> None:
        self.hub = hub
        self.owner = owner  # the member whose share of the subscribers this one counts against
        self.loop = loop
        self.transfer_id = transfer_id
        self.member = member
        self.sees_all = sees_all
        self.maxsize = maxsize
        self.queue: asyncio.Queue[RemitEvent | None] = asyncio.Queue()
        self._in_flight = 0
        self._lock = threading.Lock()

    def wants(self, event: RemitEvent) -> bool:
        if self.transfer_id is not None:
            return event.transfer_id == self.transfer_id
        return self.sees_all or self.member in event.members

    def offer(self, event: RemitEvent | None) -> bool:
        with self._lock:
            if event is not None and self._in_flight + self.queue.qsize() >= self.maxsize:
                return False
            self._in_flight += 1
        try:
            self.loop.call_soon_threadsafe(self._put, event)
        except RuntimeError:  # the subscriber's loop is closed
            return False
        return True

    def _put(self, event: RemitEvent | None) -> None:
        with self._lock:
            self._in_flight -= 1
        self.queue.put_nowait(event)

    def close(self) -> None:
        self.hub.unsubscribe(self)


class EventHub:
    def __init__(self, subscribers_max: int, queue_max: int, clock_ms: Callable[[], int],
                 member_subscribers_max: int | None = None) -> None:
        self.subscribers_max = subscribers_max
        # One member's share (None: no share): without it, one member holding every slot refuses every other
        # member's streams and answers their long polls at once.
        self.member_subscribers_max = member_subscribers_max
        self._by_owner: dict[str, int] = {}
        self.queue_max = queue_max
        self.clock_ms = clock_ms
        self._by_transfer: dict[str, set[EventSubscription]] = {}
        self._streams: set[EventSubscription] = set()  # member or sees-all streams
        self._count = 0
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self.listeners: list[Callable[[RemitEvent], None]] = []

    def subscribe(self, loop: asyncio.AbstractEventLoop, *, transfer_id: str | None = None,
                  member: str | None = None, sees_all: bool = False, owner: str | None = None) -> EventSubscription:
        """``owner``: the member asking (by default ``member``), counted against its share."""
        owner = owner if owner is not None else member
        sub = EventSubscription(self, loop, transfer_id, member, sees_all, self.queue_max, owner)
        with self._lock:
            if self._count >= self.subscribers_max:
                raise HubFull("too many event subscribers")
            if owner is not None:
                owned = self._by_owner.get(owner, 0)
                if self.member_subscribers_max is not None and owned >= self.member_subscribers_max:
                    raise HubFull(f"too many event subscribers of {owner}")
                self._by_owner[owner] = owned + 1
            self._count += 1
            if transfer_id is not None:
                self._by_transfer.setdefault(transfer_id, set()).add(sub)
            else:
                self._streams.add(sub)
        return sub

    def unsubscribe(self, sub: EventSubscription) -> None:
        with self._lock:
            if sub.transfer_id is not None:
                subs = self._by_transfer.get(sub.transfer_id)
                if subs is None or sub not in subs:
                    return
                subs.discard(sub)
                if not subs:
                    del self._by_transfer[sub.transfer_id]
            elif sub in self._streams:
                self._streams.discard(sub)
            else:
                return
            self._count -= 1
            if sub.owner is not None:
                left = self._by_owner.pop(sub.owner) - 1
                if left:
                    self._by_owner[sub.owner] = left

    def publish(self, type_: str, members: frozenset[str], transfer_id: str | None,
                data: dict[str, Any]) -> RemitEvent:
        event = RemitEvent(next(self._seq), type_, self.clock_ms(), members, transfer_id, data)
        with self._lock:
            targets = list(self._by_transfer.get(transfer_id, ())) if transfer_id is not None else []
            targets += [s for s in self._streams if s.wants(event)]
        for sub in targets:
            if not sub.offer(event):
                self.unsubscribe(sub)
                sub.offer(None)
        for listener in self.listeners:
            listener(event)
        return event

    def close_all(self) -> None:
        """End every subscription (the server or the service is stopping)."""
        with self._lock:
            subs = [s for group in self._by_transfer.values() for s in group] + list(self._streams)
        for sub in subs:
            self.unsubscribe(sub)
            sub.offer(None)
