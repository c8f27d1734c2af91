"""Reads a NATS server's HTTP monitoring endpoints (/healthz, /jsz, /varz) on loopback."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from inzira.http import Answer, HttpClient, HttpProblem

# Monitoring answers are small; anything bigger is not what we asked for.
RESPONSE_BYTES_MAX = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ServerHealth:
    healthy: bool  # /healthz says JetStream is enabled and current
    meta_leader: str  # name of the JetStream meta leader this server sees, "" if none
    detail: str  # why not healthy, for error messages


class _Meta(msgspec.Struct):
    leader: str | None = None


class _Jsz(msgspec.Struct):
    meta_cluster: _Meta | None = None


class _Varz(msgspec.Struct):
    config_load_time: str | None = None


def _get(monitor_url: str, path: str, timeout_ms: int) -> Answer:
    with HttpClient(monitor_url, timeout_ms=timeout_ms, answer_bytes_max=RESPONSE_BYTES_MAX) as http:
        return http.send("GET", path)


def read_health(monitor_url: str, timeout_ms: int = 1_000) -> ServerHealth:
    """One look at a server; connection errors come back as not healthy rather than raising."""
    try:
        health = _get(monitor_url, "/healthz", timeout_ms)
        if health.status != 200:
            return ServerHealth(False, "", f"healthz {health.status}: {health.content[:200]!r}")
        jsz = _get(monitor_url, "/jsz", timeout_ms)
        if jsz.status != 200:
            return ServerHealth(False, "", f"jsz {jsz.status}")
        meta = jsz.json(_Jsz).meta_cluster
    except HttpProblem as err:
        return ServerHealth(False, "", err.detail)
    return ServerHealth(True, (meta.leader if meta else None) or "", "")


def read_config_load_time(monitor_url: str, timeout_ms: int = 1_000) -> str:
    """When the server last (re)loaded its configuration, as it says; "" when it cannot be asked."""
    try:
        varz = _get(monitor_url, "/varz", timeout_ms)
        return (varz.json(_Varz).config_load_time or "") if varz.status == 200 else ""
    except HttpProblem:
        return ""
