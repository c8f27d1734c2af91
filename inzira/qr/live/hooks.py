"""Signed webhooks to each acquirer's registered URL, sent from a thread with its own event loop.

Deliveries and their retries (``inzira.notify.webhooks.WebhookSender``: Ed25519 over time and body, bounded
queue, exponential backoff) run on that loop, so they never wait on the API server or the store writer. Each
acquirer's events are signed with the acquirer's member key (``kid`` = the acquirer's member id): the
receiver checks them against the public key in the network's genesis.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from inzira.node.custody import WebhookKey
from inzira.notify.targets import TargetGuard
from inzira.notify.webhooks import WebhookSender, WebhookStats

START_TIMEOUT_S = 5.0
STOP_TIMEOUT_S = 5.0


class WebhookDispatch:
    def __init__(self, key_of: Callable[[str], WebhookKey], guard: TargetGuard) -> None:
        self._key_of = key_of
        self.guard = guard  # acquirers supply their URLs: checked at registration and at every delivery
        self._urls: dict[str, str] = {}
        self._senders: dict[str, WebhookSender] = {}  # touched on the loop only
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self, urls: dict[str, str]) -> None:
        self._urls = dict(urls)
        ready = threading.Event()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(ready.set)
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="qr-webhooks", daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S):
            raise RuntimeError("the webhook thread did not start")
        self._loop = loop

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = None
        closing = asyncio.run_coroutine_threadsafe(self._close_senders(), loop)
        try:
            closing.result(STOP_TIMEOUT_S)
        except TimeoutError:
            closing.cancel()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT_S)

    async def _close_senders(self) -> None:
        for sender in list(self._senders.values()):
            await sender.stop()

    def set_url(self, acquirer: str, url: str) -> None:
        with self._lock:
            self._urls[acquirer] = url

    def url(self, acquirer: str) -> str | None:
        with self._lock:
            return self._urls.get(acquirer)

    def send(self, acquirer: str, event: dict[str, Any]) -> bool:
        """Queue an event for the acquirer's URL (from any thread); False when it has none."""
        url = self.url(acquirer)
        loop = self._loop
        if url is None or loop is None:
            return False
        try:
            loop.call_soon_threadsafe(self._send, acquirer, url, event)
        except RuntimeError:  # the loop is closing
            return False
        return True

    def _send(self, acquirer: str, url: str, event: dict[str, Any]) -> None:
        sender = self._senders.get(acquirer)
        if sender is None:
            sender = self._senders[acquirer] = WebhookSender(self._key_of(acquirer), acquirer,  # type: ignore[arg-type]
                                                             guard=self.guard)
            sender.start()
        sender.send(url, event)

    def stats(self, acquirer: str) -> WebhookStats | None:
        sender = self._senders.get(acquirer)
        return None if sender is None else sender.stats
