"""A receiving FSP's ledger submissions, batched: its commits and voids go to the ledger together.

Many payouts finish in the same moment (the operator's callbacks come in bursts), and each would hand its
transaction to the ledger alone and be woken alone when its block is durable. Here every transaction
submitted during one turn of the event loop is handed over together, by one task, so they reach the orderer
side by side (one block); the verdicts that come back from the orderer's thread wake the loop once per
burst, not once per transaction. Nothing waits for a batch to fill: the batch is whatever is ready, so
batching adds no latency.

Each transaction keeps its own verdict, and a busy or stopped ledger is reported per transaction as
``ledger_io.submit`` does (None: reconciliation settles it later from the chain).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque

from inzira.node.node import NodeError
from inzira.ordering.outcome import Outcome, Stopped, Ticket
from inzira.remit import ledger_io
from inzira.remit.runtime import RemitRuntime

BATCH_MAX = 500  # transactions handed over in one go; more wait for the next turn
QUEUED_MAX = 20_000  # transactions waiting to be handed over; past it, submit() answers None at once

log = logging.getLogger(__name__)


class LedgerBatcher:
    def __init__(self, runtime: RemitRuntime) -> None:
        self.runtime = runtime
        self._queued: list[tuple[bytes, asyncio.Future[Outcome | None]]] = []
        self._flush_scheduled = False
        self._done: deque[tuple[asyncio.Future[Outcome | None], Ticket]] = deque()  # from the orderer's thread
        self._done_lock = threading.Lock()
        self._wake_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.batches = 0  # hand-overs so far, for tests and the bench

    async def submit(self, raw: bytes, timeout_s: float) -> Outcome | None:
        """The verdict on ``raw``, or None when the ledger could not take it or did not answer in time."""
        loop = self._loop = asyncio.get_running_loop()
        if len(self._queued) >= QUEUED_MAX:
            return None
        future: asyncio.Future[Outcome | None] = loop.create_future()
        self._queued.append((raw, future))
        if not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            log.warning("no verdict for a remittance transaction within %.1f s", timeout_s)
            return None

    def _flush(self) -> None:
        self._flush_scheduled = False
        batch, self._queued = self._queued[:BATCH_MAX], self._queued[BATCH_MAX:]
        if self._queued and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)
        if batch:
            self.batches += 1
            asyncio.get_running_loop().create_task(self._hand_over(batch))

    async def _hand_over(self, batch: list[tuple[bytes, asyncio.Future[Outcome | None]]]) -> None:
        for raw, future in batch:
            ticket = await ledger_io.taken(self.runtime, raw)
            if ticket is None:
                if not future.done():
                    future.set_result(None)
                continue
            ticket.add_done_callback(lambda done, future=future: self._resolved(future, done))

    def _resolved(self, future: asyncio.Future[Outcome | None], ticket: Ticket) -> None:
        """On the orderer's thread (or at once, for a ticket already resolved): queue it, wake the loop once."""
        with self._done_lock:
            self._done.append((future, ticket))
            if self._wake_scheduled:
                return
            self._wake_scheduled = True
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._settle)
        except RuntimeError:  # the loop has closed: nobody waits any more
            pass

    def _settle(self) -> None:
        with self._done_lock:
            done, self._done = self._done, deque()
            self._wake_scheduled = False
        for future, ticket in done:
            if future.done():
                continue
            error = ticket.exception()
            if error is None:
                future.set_result(ticket.result())
            elif isinstance(error, (NodeError, Stopped)):
                log.warning("no verdict for a remittance transaction: %s", error)
                future.set_result(None)
            else:
                future.set_exception(error)
