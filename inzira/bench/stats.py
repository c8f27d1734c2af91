"""Latency percentiles and the machine facts every benchmark reports."""

from __future__ import annotations

import os
import platform
from typing import Sequence


def percentile_ms(samples_s: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of durations in seconds, in milliseconds (0 when there are none)."""
    if not samples_s:
        return 0.0
    ordered = sorted(samples_s)
    rank = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return round(ordered[rank] * 1000, 3)


def machine() -> dict[str, object]:
    return {"cores": os.cpu_count() or 1, "python": platform.python_version(), "machine": platform.machine()}
