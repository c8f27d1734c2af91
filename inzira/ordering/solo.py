"""The solo orderer: one process orders, verifies and commits (the embedded network's default).

Three stages, so the cores stay busy: callers decode and enqueue (``submit``); a cutter thread gathers a
block's worth of transactions (``block_txs_max`` or ``block_interval_ms`` after the first) and checks every
signature on all cores; a committer thread applies, signs and stores the block while the next one is
being verified. A transaction is acknowledged only once its block is on disk.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Sequence

from inzira.crypto import KeyPair
from inzira.ledger.apply import Prepared, prepare, verify_prepared
from inzira.ledger.block import raw_tx_hash
from inzira.ledger.codes import Code
from inzira.node.node import Node, NodeError
from inzira.ordering.mempool import Mempool
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket

BLOCK_TXS_MAX = 2_000
BLOCK_INTERVAL_MS = 20
MEMPOOL_TXS_MAX = 200_000
IDLE_TICK_S = 0.2  # when idle, how often to look for a pending transfer whose deadline has come
VERIFIED_BLOCKS_MAX = 2  # blocks verified ahead of the committer: enough to overlap, bounded


class SoloOrderer:
    def __init__(
        self,
        node: Node,
        orderer_id: str,
        orderer_key: KeyPair,
        block_txs_max: int = BLOCK_TXS_MAX,
        block_interval_ms: int = BLOCK_INTERVAL_MS,
        mempool_txs_max: int = MEMPOOL_TXS_MAX,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self.node = node
        self.orderer_id = orderer_id
        self.orderer_key = orderer_key
        self.block_txs_max = block_txs_max
        self.block_interval_s = block_interval_ms / 1000
        self.clock_ms = clock_ms
        self._mempool: Mempool[Prepared] = Mempool(mempool_txs_max)
        self._verified: queue.Queue[list[Prepared] | None] = queue.Queue(VERIFIED_BLOCKS_MAX)
        self._inflight: dict[bytes, Ticket] = {}
        self._lock = threading.Lock()
        self._running = False
        self._threads: list[threading.Thread] = []

    def start(self) -> "SoloOrderer":
        self._running = True
        self._threads = [
            threading.Thread(target=self._cut_loop, name="solo-cutter", daemon=True),
            threading.Thread(target=self._commit_loop, name="solo-committer", daemon=True),
        ]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        """Stop taking transactions, commit what was already taken, then stop the threads."""
        if not self._running:
            return
        self._running = False
        self._mempool.close()
        for t in self._threads:
            t.join(timeout=30)

    # --- submitting ---

    def submit(self, raw: bytes, timeout_s: float = 1.0) -> Ticket:
        """Queue a signed transaction; the ticket resolves once its block is durable."""
        return self.submit_many([raw], timeout_s)[0]

    def submit_many(self, raws: Sequence[bytes], timeout_s: float = 1.0) -> list[Ticket]:
        """Queue many signed transactions at once (one hand-over); one ticket each, in order.

        Undecodable bytes get a ticket resolved at once with their code. Raises Busy when the mempool has no
        room for all of them within ``timeout_s``: then none was queued.
        """
        if not self._running or self.node.failed:
            raise Stopped(self.node.failed or "the orderer is not running")
        tickets: list[Ticket] = []
        fresh: list[Prepared] = []
        with self._lock:
            for raw in raws:
                p = prepare(raw)
                if p.code != Code.OK:
                    tickets.append(Ticket.resolved(Outcome(b"", int(p.code))))
                    continue
                # In flight by its exact bytes, not its id: a copy of someone's body with other signatures
                # shares the id but not the outcome (it may fail to authenticate where the original will not).
                key = raw_tx_hash(raw)
                existing = self._inflight.get(key)
                if existing is not None:
                    tickets.append(existing)  # the very same bytes are on their way: one outcome for both
                    continue
                ticket = self._inflight[key] = Ticket()
                tickets.append(ticket)
                fresh.append(p)
        if fresh and not self._mempool.put_many(fresh, timeout_s):
            with self._lock:
                for p in fresh:
                    self._inflight.pop(raw_tx_hash(p.raw), None)
            raise Busy("the ledger is busy: too many transactions waiting")
        return tickets

    # --- the stages ---

    def _cut_loop(self) -> None:
        while True:
            batch = self._mempool.take(self.block_txs_max, self.block_interval_s, IDLE_TICK_S)
            if batch is None:
                self._verified.put(None)
                return
            if not batch and not self._deadline_due():
                continue
            verify_prepared(batch, self.node.verifier.verify_many)
            self._verified.put(batch)

    def _commit_loop(self) -> None:
        while True:
            batch = self._verified.get()
            if batch is None:
                return
            try:
                self._commit(batch)
            except NodeError as exc:
                self._fail_all(exc)

    def _deadline_due(self) -> bool:
        """A pending transfer's deadline has passed: an empty block makes the ledger expire it."""
        deadlines = self.node.state.pending_deadlines
        try:
            return deadlines[0][0] <= self.clock_ms()
        except IndexError:  # none, or the committer emptied the heap meanwhile
            return False

    def _commit(self, batch: list[Prepared]) -> None:
        # A transaction whose id is already spent in the chain is answered from the chain, not ordered again
        # (the index holds only spent ids, so a refused copy of it never stands in its way).
        known = self.node.locate([p.tx_id for p in batch])
        fresh: list[Prepared] = []
        for p in batch:
            loc = known.get(p.tx_id)
            if loc is not None:
                self._resolve(p.raw, Outcome(p.tx_id, loc.code, loc.at, loc.height, loc.index))
            else:
                fresh.append(p)
        if batch and not fresh:
            return  # everything was already in the chain; an empty batch still cuts a (timed) block
        built = self.node.commit_local(fresh, self.clock_ms(), self.orderer_id, self.orderer_key)
        height = built.header.height
        for i, (p, r) in enumerate(zip(fresh, built.results)):
            self._resolve(p.raw, Outcome(p.tx_id, r.code, r.at, height, i))

    def _resolve(self, raw: bytes, outcome: Outcome) -> None:
        with self._lock:
            ticket = self._inflight.pop(raw_tx_hash(raw), None)
        if ticket is not None:
            ticket.set_result(outcome)

    def _fail_all(self, exc: Exception) -> None:
        self._running = False
        with self._lock:
            tickets = list(self._inflight.values())
            self._inflight.clear()
        for ticket in tickets:
            ticket.set_exception(exc)
