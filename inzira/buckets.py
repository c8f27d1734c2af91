"""Token buckets in exact integer arithmetic, one per key (a member): the one rate limiter of the services.

An allowance of ``rate`` tokens per ``period_ms`` gains ``rate`` units every millisecond; a token costs
``period_ms`` units, and a bucket holds at most ``burst`` tokens. So a key may spend its burst at once, then one
token every ``period_ms / rate`` ms. No float anywhere: a limit is met to the unit, whatever the clock's values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

SECOND_MS = 1_000


@dataclass(slots=True)
class _Bucket:
    units: int
    at_ms: int


class Buckets:
    def __init__(self, clock_ms: Callable[[], int], period_ms: int) -> None:
        if period_ms <= 0:
            raise ValueError("a bucket's period is at least 1 ms")
        self.period_ms = period_ms
        self._clock_ms = clock_ms
        self._buckets: dict[str, _Bucket] = {}  # one per member of the network: bounded by the membership
        self._lock = threading.Lock()

    def take(self, key: str, rate: int, burst: int) -> int:
        """0 when ``key`` may have a token now (and it is counted); else the whole seconds until it may."""
        if rate <= 0 or burst <= 0:
            raise ValueError("an allowance is at least one token a period and a burst of one")
        cost = self.period_ms
        cap = burst * cost
        now_ms = self._clock_ms()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(cap, now_ms)
            bucket.units = min(cap, bucket.units + max(0, now_ms - bucket.at_ms) * rate)
            bucket.at_ms = max(bucket.at_ms, now_ms)
            if bucket.units >= cost:
                bucket.units -= cost
                return 0
            missing_ms = -(-(cost - bucket.units) // rate)
            return max(1, -(-missing_ms // SECOND_MS))
