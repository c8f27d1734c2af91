"""The orderer's mempool: a taker gets the first item at once, a full batch as soon as it is there, and
the rest after its gathering time; submitters wake it only then (not once per submission)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from inzira.ordering.mempool import Mempool

TIMEOUT_S = 10.0


class _CountingCondition:
    """The mempool's condition, counting the wake-ups submitters and takers send."""

    def __init__(self, inner: threading.Condition) -> None:
        self.inner = inner
        self.wakeups = 0

    def __enter__(self) -> bool:
        return self.inner.__enter__()

    def __exit__(self, *exc: object) -> None:
        self.inner.__exit__(*exc)

    def wait(self, timeout: float | None = None) -> bool:
        return self.inner.wait(timeout)

    def notify_all(self) -> None:
        self.wakeups += 1
        self.inner.notify_all()


def _gathering(pool: Mempool[int]) -> None:
    """Until the taker has its first item and waits for more."""
    deadline = time.monotonic() + TIMEOUT_S
    while pool._gathering_max == 0:  # noqa: SLF001 - the moment the test needs
        if time.monotonic() > deadline:
            raise TimeoutError("the taker never started gathering")
        time.sleep(0.001)


def test_a_full_batch_goes_at_once_and_submitters_wake_the_taker_only_when_it_has_work() -> None:
    pool: Mempool[int] = Mempool(100)
    counting = pool._cond = _CountingCondition(pool._cond)  # type: ignore[assignment]  # noqa: SLF001
    with ThreadPoolExecutor(1) as taker:
        started = time.monotonic()
        batch = taker.submit(pool.take, 5, TIMEOUT_S)
        time.sleep(0.05)  # the taker waits for a first item
        assert pool.put_many([1], 1.0)  # the first item: wakes it
        _gathering(pool)
        for item in (2, 3, 4):  # short of the batch: nobody is woken
            assert pool.put_many([item], 1.0)
        assert counting.wakeups == 1
        assert pool.put_many([5, 6], 1.0)  # the batch is full: wakes it, long before its gathering time
        assert batch.result(TIMEOUT_S) == [1, 2, 3, 4, 5]
        assert time.monotonic() - started < TIMEOUT_S / 2
    assert counting.wakeups == 3  # first item, full batch, and the take's "room for submitters"
    assert pool.take(5, 0.01) == [6]


def test_short_of_a_batch_the_taker_gets_what_there_is_after_its_gathering_time() -> None:
    pool: Mempool[int] = Mempool(100)
    with ThreadPoolExecutor(1) as taker:
        batch = taker.submit(pool.take, 5, 0.2)
        assert pool.put_many([1, 2], 1.0)
        assert batch.result(TIMEOUT_S) == [1, 2]


def test_a_full_mempool_makes_submitters_wait_for_room_and_closing_wakes_everyone() -> None:
    pool: Mempool[int] = Mempool(2)
    assert pool.put_many([1, 2], 1.0)
    assert not pool.put_many([3], 0.05)  # no room within its time
    assert not pool.put_many([1, 2, 3], 1.0)  # larger than the mempool: never
    with ThreadPoolExecutor(2) as threads:
        waiting = threads.submit(pool.put_many, [3], TIMEOUT_S)
        time.sleep(0.05)
        assert pool.take(1, 0.0) == [1]  # room: the waiting submitter goes in
        assert waiting.result(TIMEOUT_S)
        assert pool.take(5, 0.0) == [2, 3]
        idle = threads.submit(pool.take, 5, 0.0)
        time.sleep(0.05)
        pool.close()
        assert idle.result(TIMEOUT_S) is None
    assert pool.take(1, 0.0, idle_s=0.01) is None
