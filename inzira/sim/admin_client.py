"""What a simulator's blocking admin client is: the one HTTP client with the admin token, answers decoded
into the simulator's own types, refusals as ``HttpProblem`` (for tests, demos and benchmarks)."""

from __future__ import annotations

from typing import Any, TypeVar

from inzira.http import HttpClient

T = TypeVar("T")
TIMEOUT_MS = 5_000


class SimAdminClient:
    def __init__(self, base_url: str, admin_token: str, *, timeout_ms: int = TIMEOUT_MS) -> None:
        self._http = HttpClient(base_url, timeout_ms=timeout_ms, headers={"Authorization": f"Bearer {admin_token}"})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, kind: type[T], body: Any = None) -> T:
        return self._http.call(method, path, json=body, kind=kind)
