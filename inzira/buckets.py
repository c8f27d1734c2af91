"""Token buckets in exact integer arithmetic, one per key (a member, a wallet): the one rate limiter of the services.

An allowance of ``rate`` tokens per ``period_ms`` gains ``rate`` units every millisecond; a token costs
``period_ms`` units, and a bucket holds at most ``burst`` tokens. So a key may spend its burst at once, then one
token every ``period_ms / rate`` ms. No float anywhere: a limit is met to the unit, whatever the clock's values.

Keys from a closed set (the network's members) need no bound. Keys without one (a service's customers) are held
to ``keys_max`` buckets: a full bucket is the same as none, so the least recently used one is dropped once it
has refilled; while even that one is not full, a new key waits until it is (nobody's allowance is ever reset).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

SECOND_MS = 1_000


@dataclass(slots=True)
class _Bucket:
    units: int
    at_ms: int
    full_at_ms: int  # when it holds its whole burst again if nothing more is taken


def _seconds(ms: int) -> int:
    return max(1, -(-ms // SECOND_MS))


class Buckets:
    def __init__(self, clock_ms: Callable[[], int], period_ms: int, keys_max: int | None = None) -> None:
        if period_ms <= 0:
            raise ValueError("a bucket's period is at least 1 ms")
        if keys_max is not None and keys_max <= 0:
            raise ValueError("a bound on the buckets is at least one")
        self.period_ms = period_ms
        self.keys_max = keys_max
        self._clock_ms = clock_ms
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()  # least recently used first
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
                wait_ms = self._make_room(now_ms)
                if wait_ms:
                    return _seconds(wait_ms)
                bucket = self._buckets[key] = _Bucket(cap, now_ms, now_ms)
            else:
                self._buckets.move_to_end(key)
            bucket.units = min(cap, bucket.units + max(0, now_ms - bucket.at_ms) * rate)
            bucket.at_ms = max(bucket.at_ms, now_ms)
            taken = bucket.units >= cost
            if taken:
                bucket.units -= cost
            bucket.full_at_ms = bucket.at_ms + -(-(cap - bucket.units) // rate)
            if taken:
                return 0
            return _seconds(-(-(cost - bucket.units) // rate))

    def _make_room(self, now_ms: int) -> int:
        """0 once a new bucket fits; else the ms until the least recently used one is full (and may go)."""
        if self.keys_max is None:
            return 0
        while len(self._buckets) >= self.keys_max:
            oldest = next(iter(self._buckets.values()))
            if oldest.full_at_ms > now_ms:
                return oldest.full_at_ms - now_ms
            self._buckets.popitem(last=False)
        return 0
