"""Per-member token buckets for look-ups, in exact integer arithmetic.

A member with an allowance of A look-ups a day gains A units every millisecond; a look-up costs one day's
worth of milliseconds (86,400,000 units), and the bucket holds at most ``burst`` look-ups. So the member may
spend its burst at once, then one look-up every 86,400,000 / A ms.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from inzira.directory.settings import DAY_MS, Allowance


@dataclass(slots=True)
class _Bucket:
    units: int
    at_ms: int


class LookupLimiter:
    def __init__(self, allowance: Callable[[str], Allowance], clock_ms: Callable[[], int]) -> None:
        self._allowance = allowance
        self._clock_ms = clock_ms
        self._buckets: dict[str, _Bucket] = {}  # one per member of the network: bounded by the membership
        self._refused: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, member: str) -> int:
        """0 when the member may look up now (and it is counted); else the seconds until it may."""
        allowance = self._allowance(member)
        cap = allowance.burst * DAY_MS
        now_ms = self._clock_ms()
        with self._lock:
            bucket = self._buckets.get(member)
            if bucket is None:
                bucket = self._buckets[member] = _Bucket(cap, now_ms)
            elapsed_ms = max(0, now_ms - bucket.at_ms)
            bucket.units = min(cap, bucket.units + elapsed_ms * allowance.per_day)
            bucket.at_ms = max(bucket.at_ms, now_ms)
            if bucket.units >= DAY_MS:
                bucket.units -= DAY_MS
                return 0
            self._refused[member] = self._refused.get(member, 0) + 1
            missing_ms = -(-(DAY_MS - bucket.units) // allowance.per_day)
            return max(1, -(-missing_ms // 1000))

    def refused(self) -> dict[str, int]:
        """Look-ups refused per member since the operator started."""
        with self._lock:
            return dict(self._refused)
