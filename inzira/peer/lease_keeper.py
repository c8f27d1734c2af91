"""Keeping (or waiting for) the block-cutter lease, for a peer that may cut blocks.

The lease says who should cut; it does not have to be perfect, because the blocks stream refuses an append
that does not follow the entry the cutter last saw, so two cutters can never fork the chain. That lets the
holder ride out a lease bucket that is unreachable (its stream leader died and Raft is electing another,
4 to 9 s): nobody else can take the lease meanwhile, so the holder keeps cutting for ``unreachable_grace_ms``
instead of stopping the whole network for the election.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import nats.errors

from inzira.ordering.jetstream import CutterLease, Lease, LeaseLostError, OrderingError

log = logging.getLogger(__name__)

UNREACHABLE_GRACE_MS = 10_000


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class LeaseKeeper:
    def __init__(self, lease: CutterLease, holder: str, ttl_ms: int, wanted: Callable[[], bool],
                 unreachable_grace_ms: int = UNREACHABLE_GRACE_MS, clock_ms: Callable[[], int] = wall_clock_ms):
        self._lease = lease
        self.holder = holder
        self.ttl_ms = ttl_ms
        self._wanted = wanted  # false while this peer must not cut (catching up, diverged, stopping)
        self._grace_ms = unreachable_grace_ms
        self._clock_ms = clock_ms
        self.lease: Lease | None = None
        self.term = 0  # the term of the last lease held
        self._unreachable_since_ms: int | None = None

    @property
    def renew_every_ms(self) -> int:
        return max(100, self.ttl_ms // 3)

    @property
    def margin_ms(self) -> int:
        """Stop cutting this long before the lease runs out: a block in the making must finish in it."""
        return max(100, self.ttl_ms // 4)

    def holding(self) -> bool:
        """Whether this peer should cut now: it holds the lease and is still fit to (not diverged, not failed)."""
        lease = self.lease
        if lease is None or not self._wanted():
            return False
        now_ms = self._clock_ms()
        if lease.remaining_ms(now_ms) > self.margin_ms:
            return True
        since = self._unreachable_since_ms
        return since is not None and now_ms - since < self._grace_ms

    async def run(self) -> None:
        while True:
            await self._step()
            await asyncio.sleep((self.renew_every_ms if self.lease else self.renew_every_ms // 2) / 1000)

    async def release(self) -> None:
        """Give the lease up now (stopping, or no longer fit to cut), so another peer takes over at once."""
        lease, self.lease = self.lease, None
        if lease is not None:
            try:
                await self._lease.release(lease)
            except (OrderingError, nats.errors.Error) as exc:
                log.info("could not release the lease (it will expire): %r", exc)

    async def _step(self) -> None:
        if not self._wanted():
            await self.release()
            return
        try:
            if self.lease is None:
                self.lease = await self._lease.try_acquire(self.holder, self.ttl_ms)
                if self.lease is not None:
                    self.term = self.lease.term
                    log.info("%s holds the cutter lease, term %d", self.holder, self.term)
            else:
                self.lease = await self._lease.renew(self.lease, self.ttl_ms)
            self._unreachable_since_ms = None
        except LeaseLostError:
            log.info("%s lost the cutter lease of term %d", self.holder, self.term)
            self.lease = None
        except (OrderingError, nats.errors.Error) as exc:
            if self._unreachable_since_ms is None:
                self._unreachable_since_ms = self._clock_ms()
                log.info("lease bucket unreachable: %r", exc)
