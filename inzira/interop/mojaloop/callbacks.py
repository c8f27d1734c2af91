"""Sending FSPIOP messages to the hub: callbacks (``PUT /<resource>/{ID}``, ``PUT .../error``) and requests.

Each message is encoded once; those exact bytes are signed (FSPIOP-Signature, when a signer is configured,
with FSPIOP-URI and FSPIOP-HTTP-Method beside it) and sent. A connection failure, a timeout or
a 5xx is retried a bounded number of times with doubling pauses; a 4xx means the hub refused the message
itself and is not retried. The result says which, for the caller to record.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from inzira.http import AsyncHttpClient, HttpProblem
from inzira.interop.mojaloop.errors import FspiopError
from inzira.interop.mojaloop.headers import outbound

ATTEMPTS_MAX = 3
TIMEOUT_MS = 5_000
FIRST_PAUSE_MS = 200
CONCURRENT_MAX = 64  # messages in flight to the hub at once

# (method, path, headers, body bytes) -> FSPIOP-URI, FSPIOP-HTTP-Method and FSPIOP-Signature (see jws.py)
Signer = Callable[[str, str, Mapping[str, str], bytes], Mapping[str, str]]
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Sent:
    status: int  # the hub's last HTTP status, 0 when it never answered
    attempts: int


class HubClient:
    """Messages from this FSP (``fsp_id``) to the hub at ``base_url`` (e.g. http://127.0.0.1:4040)."""

    def __init__(self, base_url: str, fsp_id: str, *, sign: Signer | None = None, timeout_ms: int = TIMEOUT_MS,
                 attempts_max: int = ATTEMPTS_MAX, first_pause_ms: int = FIRST_PAUSE_MS,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.base_url = base_url.rstrip("/")
        self.fsp_id = fsp_id
        self.sign = sign
        self.attempts_max = max(1, attempts_max)
        self.first_pause_ms = first_pause_ms
        self.clock = clock
        # The retries are this client's own (any method, 5xx and silence); a callback carries no Accept and a
        # request sets its own.
        self._client = AsyncHttpClient(self.base_url, timeout_ms=timeout_ms, skip_auto_headers=("Accept",))
        self._slots = asyncio.Semaphore(CONCURRENT_MAX)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def put(self, path: str, resource: str, version: tuple[int, int], destination: str,
                  body: dict[str, Any]) -> Sent:
        return await self.send("PUT", path, resource, version, destination, body)

    async def put_error(self, path: str, resource: str, version: tuple[int, int], destination: str,
                        error: FspiopError) -> Sent:
        return await self.send("PUT", f"{path}/error", resource, version, destination, error.body())

    async def send(self, method: str, path: str, resource: str, version: tuple[int, int], destination: str,
                   body: dict[str, Any] | None) -> Sent:
        """Send one message; ``PUT`` callbacks carry no Accept, requests do."""
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = outbound(resource, version, self.fsp_id, destination, now=self.clock(),
                           with_accept=method != "PUT", method=method, uri=path)
        if self.sign is not None and content:  # Mojaloop signs messages with a body
            headers.update(self.sign(method, path, headers, content))
        status = attempts = 0
        pause_s = self.first_pause_ms / 1000
        async with self._slots:
            while attempts < self.attempts_max:
                attempts += 1
                try:
                    answer = await self._client.send(method, path, content=content or None, headers=headers)
                    status = answer.status
                except HttpProblem as exc:
                    log.info("%s %s to the hub failed (attempt %d): %s", method, path, attempts, exc)
                    status = 0
                if 200 <= status < 500 and status != 0:
                    break
                if attempts < self.attempts_max:
                    await asyncio.sleep(pause_s)
                    pause_s *= 2
        if not 200 <= status < 300:
            log.warning("%s %s: the hub answered %s after %d attempts", method, path, status or "nothing", attempts)
        return Sent(status, attempts)
