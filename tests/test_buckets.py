"""The token buckets: exact allowances, and a bound on the buckets kept for keys from an open set (a service's
customers), which never resets anyone's allowance."""

from __future__ import annotations

from dataclasses import dataclass

from inzira.buckets import Buckets

MINUTE_MS = 60_000


@dataclass
class Clock:
    now_ms: int = 1_800_000_000_000

    def __call__(self) -> int:
        return self.now_ms


def test_a_burst_then_one_token_a_period_over_rate() -> None:
    clock = Clock()
    buckets = Buckets(clock, MINUTE_MS)
    assert [buckets.take("a", 60, 3) for _ in range(4)] == [0, 0, 0, 1]
    clock.now_ms += 999
    assert buckets.take("a", 60, 3) == 1
    clock.now_ms += 1
    assert buckets.take("a", 60, 3) == 0


def test_bounded_keys_forget_only_full_buckets() -> None:
    clock = Clock()
    buckets = Buckets(clock, MINUTE_MS, keys_max=2)
    assert buckets.take("a", 60, 2) == 0 and buckets.take("b", 60, 2) == 0
    assert buckets.take("c", 60, 2) == 1  # a and b are not full again for 1 s: no room, nobody reset
    assert buckets.take("a", 60, 2) == 0 and buckets.take("a", 60, 2) == 1  # a's own allowance, untouched
    clock.now_ms += 1_000  # b is full again (a, used since, is not): b is forgotten for c
    assert buckets.take("c", 60, 2) == 0
    assert buckets.take("a", 60, 2) == 0 and buckets.take("a", 60, 2) == 1  # a kept what it had
    clock.now_ms += 2_000
    assert buckets.take("d", 60, 2) == 0  # the least recently used full one (c) goes
    assert len(buckets._buckets) == 2
