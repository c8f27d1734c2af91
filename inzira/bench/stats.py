"""Latency percentiles and the machine facts every benchmark reports."""

from __future__ import annotations

import os
import platform
import time
from typing import Sequence

from inzira.crypto import KeyPair, verify


def percentile_ms(samples_s: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of durations in seconds, in milliseconds (0 when there are none)."""
    if not samples_s:
        return 0.0
    ordered = sorted(samples_s)
    rank = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return round(ordered[rank] * 1000, 3)


def ed25519_verify_us(samples: int = 2_000) -> float:
    """What one Ed25519 verification costs on one core of this machine right now (libsodium), in µs.

    Reported beside throughput: on a shared or slow machine it says how much of a number is the hardware.
    """
    key = KeyPair.from_seed(bytes(32))
    messages = [i.to_bytes(32, "big") for i in range(samples)]
    signed = [(m, key.sign(m)) for m in messages]
    started = time.perf_counter()
    for message, signature in signed:
        verify(key.public_key, message, signature)
    return round((time.perf_counter() - started) / samples * 1e6, 1)


def machine() -> dict[str, object]:
    return {"cores": os.cpu_count() or 1, "python": platform.python_version(), "machine": platform.machine()}
