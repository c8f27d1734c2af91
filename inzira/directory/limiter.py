"""Per-member allowances, A a day with a burst (``inzira.buckets``, a token a request): one limiter for the
look-ups, one for the registration requests. Each counts the requests it refused, for the regulator."""

from __future__ import annotations

import threading
from collections.abc import Callable

from inzira.buckets import Buckets
from inzira.directory.settings import DAY_MS, Allowance


class AllowanceLimiter:
    def __init__(self, allowance: Callable[[str], Allowance], clock_ms: Callable[[], int]) -> None:
        self._allowance = allowance
        self._buckets = Buckets(clock_ms, DAY_MS)
        self._refused: dict[str, int] = {}  # one per member of the network: bounded by the membership
        self._lock = threading.Lock()

    def take(self, member: str) -> int:
        """0 when the member may make a request now (and it is counted); else the seconds until it may."""
        allowance = self._allowance(member)
        wait_s = self._buckets.take(member, allowance.per_day, allowance.burst)
        if wait_s:
            with self._lock:
                self._refused[member] = self._refused.get(member, 0) + 1
        return wait_s

    def refused(self) -> dict[str, int]:
        """Requests refused per member since the operator started."""
        with self._lock:
            return dict(self._refused)
