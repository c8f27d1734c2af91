"""Settings for the processes that run a ledger (the demo, a peer, a benchmark)."""

from __future__ import annotations

import gc

GC_YOUNG_THRESHOLD = 50_000  # allocations between young-generation collections (Python's default: 700)


def tune_gc() -> None:
    """Collect less often, and never again scan what is alive now.

    A busy node allocates several short-lived objects per transaction and keeps large, mostly acyclic state
    (its records are msgspec structs outside the collector); with the default thresholds the collector
    runs thousands of times a second and its full passes pause every request in flight.
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
