"""Asking a running peer about itself over HTTP: its status and health, with short timeouts.

A peer tells why it stopped (an exception's text) to a member's API token only, anyone else reads a fixed word
for the kind of problem: the network's operator, who holds every peer folder, sends each peer its own token.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from inzira.http import HttpClient, HttpProblem
from inzira.peer.config import load_api_token

STATUS_TIMEOUT_S = 3.0
READY_POLL_S = 0.1


def own_token(folder: Path, member: str) -> str | None:
    """The API token in ``member``'s peer folder, or None when it cannot be read (then a status says only the
    kind of a peer's problem)."""
    try:
        return load_api_token(folder, member)
    except (ValueError, OSError):
        return None


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def peer_status(api_url: str, timeout_s: float = STATUS_TIMEOUT_S, token: str | None = None) -> dict[str, Any] | None:
    """The peer's /v1/peer/status, or None when it does not answer; ``token``: its API token, to be told why it
    stopped."""
    with HttpClient(api_url, timeout_ms=int(timeout_s * 1000)) as http:
        try:
            body = http.call("GET", "/v1/peer/status", headers=bearer(token))
        except HttpProblem:
            return None
    return body if isinstance(body, dict) else None


def wait_ready(api_url: str, timeout_ms: int, token: str | None = None) -> dict[str, Any]:
    """Wait until the peer caught up with the chain; its status. Raises TimeoutError with the last status,
    or RuntimeError when the peer reports a problem."""
    deadline = time.monotonic() + timeout_ms / 1000
    last: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        last = peer_status(api_url, token=token)
        if last is not None:
            if last.get("problem"):
                raise RuntimeError(f"peer at {api_url}: {last['problem']}")
            if last.get("ready"):
                return last
        time.sleep(READY_POLL_S)
    raise TimeoutError(f"peer at {api_url} not ready within {timeout_ms} ms (last status: {last})")
