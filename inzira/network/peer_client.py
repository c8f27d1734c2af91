"""Asking a running peer about itself over HTTP: its status and health, with short timeouts."""

from __future__ import annotations

import time
from typing import Any

from inzira.http import HttpClient, HttpProblem

STATUS_TIMEOUT_S = 3.0
READY_POLL_S = 0.1


def peer_status(api_url: str, timeout_s: float = STATUS_TIMEOUT_S) -> dict[str, Any] | None:
    """The peer's /v1/peer/status, or None when it does not answer."""
    with HttpClient(api_url, timeout_ms=int(timeout_s * 1000)) as http:
        try:
            body = http.call("GET", "/v1/peer/status")
        except HttpProblem:
            return None
    return body if isinstance(body, dict) else None


def wait_ready(api_url: str, timeout_ms: int) -> dict[str, Any]:
    """Wait until the peer caught up with the chain; its status. Raises TimeoutError with the last status,
    or RuntimeError when the peer reports a problem."""
    deadline = time.monotonic() + timeout_ms / 1000
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = peer_status(api_url)
        if last is not None:
            if last.get("problem"):
                raise RuntimeError(f"peer at {api_url}: {last['problem']}")
            if last.get("ready"):
                return last
        time.sleep(READY_POLL_S)
    raise TimeoutError(f"peer at {api_url} not ready within {timeout_ms} ms (last status: {last})")
