"""The follower: every entry of the blocks stream, in order, judged by this peer's own node.

It starts after the entry of the last block the node stored. When the stream no longer holds that far back
(retention dropped the entries), or a read jumps over entries, replaying is impossible and the follower
asks ``on_trimmed`` to bring the node up from a snapshot, then carries on after it. Entries this peer cut
itself are already stored when they come back and are passed over.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import aclosing

import nats.errors

from inzira.ordering.jetstream import BlockLog, OrderingError
from inzira.peer.ledger_thread import PeerLedger

FOLLOW_BATCH = 64  # entries per read (blocks are up to 1 MiB each)
IDLE_WAIT_MS = 1_000
RETRY_PAUSE_S = 0.5

log = logging.getLogger(__name__)


class StreamBehindError(RuntimeError):
    """The blocks stream is shorter than this peer's chain: following it could only go wrong."""


class Follower:
    def __init__(self, ledger: PeerLedger, block_log: BlockLog,
                 on_trimmed: Callable[[int], Awaitable[bool]]) -> None:
        self.ledger = ledger
        self.block_log = block_log
        self.on_trimmed = on_trimmed  # (first entry the stream holds) -> True once the node was brought up
        self.stream_last_seq = 0  # the stream's end, as last seen
        self.caught_up = asyncio.Event()  # set once every entry present at start-up was judged

    async def run(self) -> None:
        while True:
            try:
                await self._follow()
            except (OrderingError, nats.errors.Error) as exc:
                log.info("following the blocks stream failed, retrying: %r", exc)
            await asyncio.sleep(RETRY_PAUSE_S)

    async def _follow(self) -> None:
        ledger = self.ledger
        first, last = await self.block_log.bounds()
        if last < ledger.processed_seq:
            raise StreamBehindError(
                f"the blocks stream ends at entry {last}, but this peer already judged entry {ledger.processed_seq}: "
                "the ordering service lost blocks (is it a new NATS cluster?)")
        self.stream_last_seq = max(self.stream_last_seq, last)
        start = ledger.processed_seq + 1
        if start < first and not await self.on_trimmed(first):
            return
        self._mark(last)
        start = ledger.processed_seq + 1
        async with aclosing(self.block_log.follow(start, batch=FOLLOW_BATCH, idle_wait_ms=IDLE_WAIT_MS)) as entries:
            async for entry in entries:
                self.stream_last_seq = max(self.stream_last_seq, entry.seq)
                async with ledger.lock:
                    if entry.seq <= ledger.processed_seq:
                        continue  # this peer cut it, or judged it already
                    if entry.seq > ledger.processed_seq + 1:
                        log.warning("blocks stream jumped from %d to %d: entries dropped by retention",
                                    ledger.processed_seq, entry.seq)
                        return  # start over: the bounds check sends the node to a snapshot
                    await ledger.run(ledger.apply_entry, entry.seq, entry.payload, entry.ts_ms)
                self._mark(last)

    def _mark(self, target_seq: int) -> None:
        if not self.caught_up.is_set() and self.ledger.processed_seq >= target_seq:
            self.caught_up.set()
