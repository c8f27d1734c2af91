"""Webhook subscriptions per member, and delivery of every event that concerns the member to its URLs.

Each delivery is signed by the port of the member whose service sends it, the subscribing member itself
(``Inzira-Signature: t=..,kid=<member>,ed25519=..``, see ``inzira.notify.webhooks``): its backend verifies
with that member's public key from the genesis. Delivery runs on the service's loop, queued and retried.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from inzira.node.custody import MemberPort
from inzira.notify.targets import TargetGuard, TargetRefused
from inzira.notify.webhooks import WebhookSender
from inzira.remit.codes import forbidden, invalid
from inzira.remit.events import RemitEvent
from inzira.remit.settings import RemitSettings
from inzira.remit.store.notices import NoticeStore


class Webhooks:
    def __init__(self, notices: NoticeStore, ports: Mapping[str, MemberPort], settings: RemitSettings,
                 clock_ms: Callable[[], int]) -> None:
        self.notices = notices
        self.ports = ports
        self.settings = settings
        self.clock_ms = clock_ms
        self.guard = TargetGuard(settings.webhook_allowed_networks)
        self._urls: dict[str, tuple[str, ...]] = {}
        self._senders: dict[str, WebhookSender] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self._reload()

    def _reload(self) -> None:
        urls: dict[str, list[str]] = {}
        for hook in self.notices.webhooks():
            urls.setdefault(hook["member"], []).append(hook["url"])
        with self._lock:
            self._urls = {member: tuple(found) for member, found in urls.items()}

    def start(self) -> None:
        """On the service's loop: deliveries are made there."""
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None
        for sender in list(self._senders.values()):
            await sender.stop()
        self._senders.clear()

    async def add(self, member: str, url: str) -> dict[str, Any]:
        if member not in self.ports:  # deliveries are signed with the member's own key, which this service lacks
            raise forbidden(f"this remittance service does not act for {member}: it cannot sign its webhooks")
        try:
            await self.guard.check(url)
        except TargetRefused as exc:
            raise invalid(str(exc)) from None
        hook_id = str(uuid.uuid4())
        if not self.notices.add_webhook(hook_id, member, url, self.clock_ms(), self.settings.webhooks_per_member_max):
            raise invalid(f"at most {self.settings.webhooks_per_member_max} webhooks per member")
        self._reload()
        return {"id": hook_id, "member": member, "url": url}

    def remove(self, member: str, hook_id: str) -> bool:
        removed = self.notices.remove_webhook(hook_id, member)
        self._reload()
        return removed

    def on_event(self, event: RemitEvent) -> None:
        """Called by the event hub in the publishing thread: hand over to the loop only if someone listens."""
        loop = self._loop
        with self._lock:
            wanted = [(m, self._urls[m]) for m in event.members if m in self._urls and m in self.ports]
        if wanted and loop is not None:
            try:
                loop.call_soon_threadsafe(self._deliver, event, wanted)
            except RuntimeError:  # the loop has stopped
                pass

    def _deliver(self, event: RemitEvent, wanted: list[tuple[str, tuple[str, ...]]]) -> None:
        for member, urls in wanted:
            sender = self._senders.get(member)
            if sender is None:
                key = self.ports[member].webhook_key()  # signs webhook deliveries as this member, nothing else
                sender = self._senders[member] = WebhookSender(key, member, self.clock_ms,  # type: ignore[arg-type]
                                                                guard=self.guard)
                sender.start()
            for url in urls:
                sender.send(url, {**event.json(), "member": member})
