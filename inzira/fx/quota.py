"""Each client's allowance of quotes at the FX provider's desk (``inzira.buckets``, a token a quote).

A quote costs the desk a price and a signature, and lets the client hold the FX provider's liquidity in a pending
transfer: without an allowance one client could take the desk's whole CPU from the others. Only a client the FX
provider issued a token reaches here, so the buckets are bounded by its clients.
"""

from __future__ import annotations

from collections.abc import Callable

from inzira.buckets import SECOND_MS, Buckets

QUOTES_PER_SECOND = 500  # per client: above what one sending FSP asks at the benchmark's target rate
QUOTES_BURST = 1_000


class QuoteQuota:
    def __init__(self, clock_ms: Callable[[], int], per_second: int = QUOTES_PER_SECOND,
                 burst: int = QUOTES_BURST) -> None:
        if not (0 < per_second and 0 < burst):
            raise ValueError("a quote allowance is at least one quote a second and a burst of one")
        self.per_second = per_second
        self.burst = burst
        self._buckets = Buckets(clock_ms, SECOND_MS)

    def take(self, member: str) -> int:
        """0 when ``member`` may have a quote now (and it is counted); else the seconds until it may."""
        return self._buckets.take(member, self.per_second, self.burst)
