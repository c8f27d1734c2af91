"""Signed webhooks: a member's service posts JSON events to a subscriber's URL, signed with its Ed25519 key.

The signature covers the delivery time and the exact body, so a receiver checks who sent it, that it was not
changed, and that it is recent (replays outside the tolerance are refused):

    Inzira-Signature: t=<unix ms>,kid=<member id>,ed25519=<hex signature of "<t>.<body>">

Deliveries are queued (bounded) and retried with exponential backoff; each event carries an ``id`` so a
receiver can drop the duplicates that retries may cause.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx

from inzira.api.numbers import TIME_MS_MAX, parse_digits
from inzira.crypto import KeyPair, verify
from inzira.http import Answer, AsyncHttpClient, HttpProblem
from inzira.notify.targets import TargetGuard, TargetRefused, TargetUnresolved

SIGNATURE_HEADER = "Inzira-Signature"
TOLERANCE_MS = 5 * 60_000
QUEUE_MAX = 10_000
ATTEMPTS_MAX = 6
BACKOFF_MS = 200
BACKOFF_MAX_MS = 30_000
TIMEOUT_MS = 5_000
BODY_BYTES_MAX = 256 * 1024
IN_FLIGHT_MAX = 32
ANSWER_BYTES_MAX = 64 * 1024  # a receiver's answer is read for its status only


class WebhookSignatureError(ValueError):
    """A webhook whose signature header is missing, malformed, stale, or does not verify."""


def sign_body(body: bytes, key: KeyPair, key_id: str, now_ms: int) -> str:
    signature = key.sign(f"{now_ms}.".encode() + body)
    return f"t={now_ms},kid={key_id},ed25519={signature.hex()}"


def verify_signature(body: bytes, header: str | None, public_keys: dict[str, bytes], now_ms: int,
                     tolerance_ms: int = TOLERANCE_MS) -> str:
    """Check a delivery; return the sender's key id, or raise WebhookSignatureError."""
    if not header:
        raise WebhookSignatureError(f"missing {SIGNATURE_HEADER} header")
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        sent_ms, key_id = parse_digits(parts["t"], 0, TIME_MS_MAX), parts["kid"]
        signature = bytes.fromhex(parts["ed25519"])
    except (ValueError, KeyError) as exc:
        raise WebhookSignatureError(f"malformed {SIGNATURE_HEADER} header") from exc
    if sent_ms is None:
        raise WebhookSignatureError(f"malformed {SIGNATURE_HEADER} header")
    if abs(now_ms - sent_ms) > tolerance_ms:
        raise WebhookSignatureError("webhook timestamp outside the tolerance (replayed or clock skew)")
    key = public_keys.get(key_id)
    if key is None or not verify(key, f"{sent_ms}.".encode() + body, signature):
        raise WebhookSignatureError("webhook signature does not verify")
    return key_id


@dataclass
class Delivery:
    url: str
    body: bytes
    attempts: int = 0


@dataclass
class WebhookStats:
    delivered: int = 0
    failed: int = 0
    dropped: int = 0
    last_error: str = ""


class WebhookSender:
    """Posts signed events from one member to subscriber URLs, in the background, with retries.

    With a ``guard`` (URLs a caller supplied), each attempt resolves and checks the URL's host first and connects
    to the address it checked; a refused target fails at once, without retries (a host that did not resolve is
    tried again, as an answer that did not come).
    """

    def __init__(self, key: KeyPair, key_id: str, clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
                 guard: TargetGuard | None = None) -> None:
        self.key = key
        self.key_id = key_id
        self.clock_ms = clock_ms
        self.guard = guard
        # Deliveries are retried here, each attempt signed anew (the signature covers its time).
        self._client = AsyncHttpClient(timeout_ms=TIMEOUT_MS, connections_max=IN_FLIGHT_MAX,
                                       answer_bytes_max=ANSWER_BYTES_MAX)
        self._queue: asyncio.Queue[Delivery] | None = None
        self._task: asyncio.Task[None] | None = None
        self.stats = WebhookStats()

    def start(self) -> None:
        """Start the delivery loop on the running event loop."""
        self._queue = asyncio.Queue(QUEUE_MAX)
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        await self._client.aclose()

    def send(self, url: str, event: dict[str, Any]) -> bool:
        """Queue one event for ``url``; False (and counted as dropped) when the queue is full or too big."""
        body = json.dumps(event, separators=(",", ":"), sort_keys=True).encode()
        if self._queue is None or len(body) > BODY_BYTES_MAX:
            self.stats.dropped += 1
            return False
        try:
            self._queue.put_nowait(Delivery(url, body))
            return True
        except asyncio.QueueFull:
            self.stats.dropped += 1
            return False

    async def _run(self) -> None:
        queue = self._queue
        if queue is None:
            return
        slots = asyncio.Semaphore(IN_FLIGHT_MAX)
        while True:
            delivery = await queue.get()
            await slots.acquire()
            task = asyncio.get_running_loop().create_task(self._deliver(delivery))
            task.add_done_callback(lambda _t: slots.release())

    async def _deliver(self, delivery: Delivery) -> None:
        while delivery.attempts < ATTEMPTS_MAX:
            delivery.attempts += 1
            headers = {"Content-Type": "application/json",
                       SIGNATURE_HEADER: sign_body(delivery.body, self.key, self.key_id, self.clock_ms())}
            try:
                answer = await self._post(delivery, headers)
                if answer.is_success:
                    self.stats.delivered += 1
                    return
                self.stats.last_error = f"{delivery.url}: HTTP {answer.status}"
            except TargetUnresolved as exc:  # DNS may answer at the next attempt
                self.stats.last_error = f"{delivery.url}: {exc}"
            except TargetRefused as exc:
                self.stats.last_error = f"{delivery.url}: {exc}"
                break
            except HttpProblem as exc:
                self.stats.last_error = f"{delivery.url}: {exc.detail}"
            await asyncio.sleep(min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** (delivery.attempts - 1)) / 1000)
        self.stats.failed += 1

    async def _post(self, delivery: Delivery, headers: dict[str, str]) -> Answer:
        if self.guard is None:
            return await self._client.send("POST", delivery.url, content=delivery.body, headers=headers)
        target = await self.guard.check(delivery.url)
        url = httpx.URL(delivery.url)
        # Connect to the address just checked, naming the host as written (Host header, TLS server name).
        return await self._client.send("POST", str(url.copy_with(host=target.address)), content=delivery.body,
                                       headers={**headers, "Host": url.netloc.decode("ascii")},
                                       server_hostname=target.host if url.scheme == "https" else None)
