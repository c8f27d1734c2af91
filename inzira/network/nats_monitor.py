"""Reads a NATS server's HTTP monitoring endpoints (/healthz, /jsz, /varz) on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

# Monitoring answers are small; anything bigger is not what we asked for.
RESPONSE_BYTES_MAX = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerHealth:
    healthy: bool  # /healthz says JetStream is enabled and current
    meta_leader: str  # name of the JetStream meta leader this server sees, "" if none
    detail: str  # why not healthy, for error messages


def _get(url: str, timeout_ms: int) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_ms / 1000) as resp:  # noqa: S310 (loopback http)
            return resp.status, resp.read(RESPONSE_BYTES_MAX)
    except urllib.error.HTTPError as err:
        return err.code, err.read(RESPONSE_BYTES_MAX)


def read_health(monitor_url: str, timeout_ms: int = 1_000) -> ServerHealth:
    """One look at a server; connection errors come back as not healthy rather than raising."""
    try:
        status, body = _get(f"{monitor_url}/healthz", timeout_ms)
        if status != 200:
            return ServerHealth(False, "", f"healthz {status}: {body[:200]!r}")
        status, body = _get(f"{monitor_url}/jsz", timeout_ms)
        if status != 200:
            return ServerHealth(False, "", f"jsz {status}")
        jsz = json.loads(body)
    except (OSError, ValueError) as err:
        return ServerHealth(False, "", f"{type(err).__name__}: {err}")
    meta = jsz.get("meta_cluster") or {}
    return ServerHealth(True, str(meta.get("leader") or ""), "")


def read_config_load_time(monitor_url: str, timeout_ms: int = 1_000) -> str:
    """When the server last (re)loaded its configuration, as it says; "" when it cannot be asked."""
    try:
        status, body = _get(f"{monitor_url}/varz", timeout_ms)
        if status != 200:
            return ""
        return str(json.loads(body).get("config_load_time") or "")
    except (OSError, ValueError):
        return ""
