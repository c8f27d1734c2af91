"""Waiting, bounded, for what the gateway or the ledger does on its own threads."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
WAIT_S = 20.0
POLL_S = 0.02


def wait_for(probe: Callable[[], T], wait_s: float = WAIT_S) -> T:
    """What ``probe`` returns once it is true; AssertionError if it is not within ``wait_s``."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(POLL_S)
    raise AssertionError("not seen in time")
