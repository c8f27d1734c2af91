"""What the network soak asks of the running peers: their health, their agreement, their logs.

Everything over the peers' own HTTP endpoints (``/health``, ``/v1/peer/status``) and files, as an operator
would look at them (with each peer's own API token, so a stopped peer says why); nothing reaches into a peer
process.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


from inzira.http import HttpClient, HttpProblem
from inzira.network.layout import peer_folder
from inzira.network.local_network import LocalNetwork
from inzira.network.peer_client import bearer, own_token, peer_status
from inzira.peer.config import LOG_FILE

HTTP_TIMEOUT_S = 5.0
HTTP_TIMEOUT_MS = 5_000
POLL_S = 0.05
LOG_BYTES_MAX = 256 * 1024 * 1024  # a peer log read for tracebacks, at most
TRACEBACK = b"Traceback (most recent call last)"


@dataclass(frozen=True, slots=True)
class Tip:
    height: int
    block_hash: str
    state_hash: str


def statuses(local: LocalNetwork, members: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    found: dict[str, dict[str, Any] | None] = {}
    for member in members:
        try:
            found[member] = peer_status(local.api_url(member), HTTP_TIMEOUT_S, _token(local, member))
        except ValueError:  # no API address: the peer is not running
            found[member] = None
    return found


def agreed(found: dict[str, dict[str, Any] | None]) -> Tip | None:
    """The common tip once every peer answers, is ready, has no problem and stands on the same block."""
    if any(s is None or not s["ready"] or s["problem"] for s in found.values()):
        return None
    tips = {(s["height"], s["block_hash"], s["state_hash"]) for s in found.values() if s}
    return Tip(*tips.pop()) if len(tips) == 1 else None


def wait_agreed(local: LocalNetwork, members: Sequence[str], min_height: int, timeout_s: float) -> Tip | None:
    """The peers' common tip at ``min_height`` or above, or None when they do not get there in time."""
    deadline = time.monotonic() + timeout_s
    while True:
        tip = agreed(statuses(local, members))
        if tip is not None and tip.height >= min_height:
            return tip
        if time.monotonic() > deadline:
            return None
        time.sleep(POLL_S)


def health(local: LocalNetwork, members: Sequence[str]) -> dict[str, str]:
    """Each peer's ``/health``: "ok", or why not (not running, not answering, failed, diverged)."""
    running = set(local.running_peers())
    verdicts: dict[str, str] = {}
    for member in members:
        if member not in running:
            verdicts[member] = "process not running"
            continue
        try:
            with HttpClient(local.api_url(member), timeout_ms=HTTP_TIMEOUT_MS) as http:
                response = http.send("GET", "/health", headers=bearer(_token(local, member)))
            facts = response.json() if response.headers.get("content-type", "").endswith("json") else {}
        except (HttpProblem, ValueError) as exc:
            verdicts[member] = f"no answer: {exc!r}"
            continue
        if response.status != 200:
            verdicts[member] = f"HTTP {response.status}: {facts}"
        elif facts.get("failed") or facts.get("diverged"):
            verdicts[member] = f"failed: {facts.get('failed')}, diverged: {facts.get('diverged')}"
        else:
            verdicts[member] = "ok"
    return verdicts


def _token(local: LocalNetwork, member: str) -> str | None:
    return own_token(peer_folder(local.folder, member), member)


def tracebacks(local: LocalNetwork, members: Sequence[str]) -> dict[str, int]:
    """Tracebacks each peer wrote to its log: an exception anywhere in a peer is a defect to count."""
    counts: dict[str, int] = {}
    for member in members:
        path = peer_folder(local.folder, member) / LOG_FILE
        if path.exists():
            with path.open("rb") as f:
                counts[member] = f.read(LOG_BYTES_MAX).count(TRACEBACK)
        else:
            counts[member] = 0
    return counts
