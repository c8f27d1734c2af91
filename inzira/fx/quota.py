"""Each client's allowance of quotes at the FX provider's desk: a token bucket per client, in exact integers.

A quote costs the desk a price and a signature, and lets the client hold the FX provider's liquidity in a pending
transfer: without an allowance one client could take the desk's whole CPU from the others. A client gains
``per_second`` units every millisecond, a quote costs 1,000, and the bucket holds at most ``burst`` quotes.
The buckets are one per client the FX provider issued a token (only an authenticated client reaches here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

SECOND_MS = 1_000
QUOTES_PER_SECOND = 500  # per client: above what one sending FSP asks at the benchmark's target rate
QUOTES_BURST = 1_000


@dataclass(slots=True)
class _Bucket:
    units: int
    at_ms: int


class QuoteQuota:
    def __init__(self, clock_ms: Callable[[], int], per_second: int = QUOTES_PER_SECOND,
                 burst: int = QUOTES_BURST) -> None:
        if not (0 < per_second and 0 < burst):
            raise ValueError("a quote allowance is at least one quote a second and a burst of one")
        self.per_second = per_second
        self.burst = burst
        self._clock_ms = clock_ms
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, member: str) -> int:
        """0 when ``member`` may have a quote now (and it is counted); else the seconds until it may."""
        cap = self.burst * SECOND_MS
        now_ms = self._clock_ms()
        with self._lock:
            bucket = self._buckets.get(member)
            if bucket is None:
                bucket = self._buckets[member] = _Bucket(cap, now_ms)
            bucket.units = min(cap, bucket.units + max(0, now_ms - bucket.at_ms) * self.per_second)
            bucket.at_ms = max(bucket.at_ms, now_ms)
            if bucket.units >= SECOND_MS:
                bucket.units -= SECOND_MS
                return 0
            missing_ms = -(-(SECOND_MS - bucket.units) // self.per_second)
            return max(1, -(-missing_ms // SECOND_MS))
