"""Callbacks to the merchant: one signed event per decided payment, delivered after the configured delay, as
many copies as the behaviour asks, each retried with backoff on a non-2xx answer or none (acquirers retry
their webhooks; the receiver must take a copy twice without harm)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable

import msgspec

from inzira.http import AsyncHttpClient, HttpProblem
from inzira.sim.card.config import Behaviour, CardSimConfig
from inzira.sim.card.signing import SIGNATURE_HEADER, signature
from inzira.sim.card.wire import SentCallback, Session, check_url


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def event_body(event_id: str, session: Session, at_ms: int) -> bytes:
    return msgspec.json.encode({
        "id": event_id, "type": f"payment.{session.status}", "created_at_ms": at_ms,
        "data": {"session_id": session.id, "reference": session.reference, "payment_id": session.payment_id,
                 "status": session.status, "reason": session.reason, "amount_minor": session.amount_minor,
                 "currency": session.currency}})


class Notifier:
    def __init__(self, config: CardSimConfig, behaviour: Callable[[], Behaviour]) -> None:
        self._config = config
        self._behaviour = behaviour
        self.webhook_url = None if config.webhook_url is None else check_url(
            config.webhook_url, "webhook_url", config.callback_hosts)
        self._tasks: set[asyncio.Task[None]] = set()
        # Each copy is retried here, signed anew per attempt (the signature covers its time).
        self._client = AsyncHttpClient(timeout_ms=config.callback_timeout_ms)
        self._ids = itertools.count(1)
        self.log: deque[SentCallback] = deque(maxlen=config.callback_log_max)
        self.sent = 0
        self.failed = 0
        self.dropped = 0

    def set_webhook_url(self, url: str | None) -> None:
        self.webhook_url = None if url is None else check_url(url, "url", self._config.callback_hosts)

    def announce(self, session: Session) -> None:
        """Send the callback for a session that was just decided (on the event loop)."""
        behaviour = self._behaviour()
        url = self.webhook_url
        if url is None or behaviour.callbacks_off or len(self._tasks) >= self._config.callbacks_in_flight_max:
            self.dropped += 1
            return
        at_ms = now_ms()
        event_id = f"evt_{at_ms:x}{next(self._ids):06x}"
        body = event_body(event_id, session, at_ms)
        task = asyncio.get_running_loop().create_task(
            self._deliver(url, event_id, body, behaviour.callback_delay_ms, behaviour.callback_copies))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, event_id: str, body: bytes, delay_ms: int, copies: int) -> None:
        await asyncio.sleep(delay_ms / 1000)
        for _ in range(copies):
            await self._deliver_copy(url, event_id, body)

    async def _deliver_copy(self, url: str, event_id: str, body: bytes) -> None:
        wait_s = self._config.callback_retry_ms / 1000
        for attempt in range(1, self._config.callback_attempts_max + 1):
            at_ms = now_ms()
            signed = signature(self._config.webhook_secret, body, at_ms)
            headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signed}
            try:
                status: int | None = (await self._client.send("POST", url, content=body, headers=headers)).status
            except HttpProblem:
                status = None
            self.log.appendleft(SentCallback(event_id, url, body.decode(), signed, attempt, status, at_ms))
            if status is not None and 200 <= status < 300:
                self.sent += 1
                return
            self.failed += 1
            if attempt < self._config.callback_attempts_max:
                await asyncio.sleep(wait_s)
                wait_s *= 2

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()
