"""Tickets of transactions this peer handed to the ordering service, resolved when THIS peer stores them.

A submitter hears of its transaction once the block holding it is durable here, whichever peer cut that
block. Tickets are keyed by the transaction's exact bytes (``raw_tx_hash``): two submissions of the same bytes
share one ticket, while a copy of the body under other signatures, which may be refused where the original
is not, has its own.

The submitter's own bytes are not the only way its body gets committed: a copy under other signatures that
still authenticates (the submitter's signature and a member's added, or its signatures repeated or reordered)
spends the same id with the same effects, and a cutter may put that copy in a block and leave the original
bytes out (it may omit what it likes). A ticket that would conclude "not these bytes" therefore answers where
its id was spent, from the transaction index, when it was spent anywhere: its bytes came too late (the
verdict "duplicate"), or they reached no block (publish lost, left out by a cutter) by the time the chain's
own clock is well past the deadline ("expired", which keeps the table bounded). Those lookups run only for
such tickets, in bounded batches, after the block that concluded them is stored, so they search every
block up to it.
"""

from __future__ import annotations

import heapq
import logging
import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence

from inzira.ledger.apply import Prepared
from inzira.ledger.block import BlockHeader, raw_tx_hash
from inzira.ledger.codes import Code
from inzira.ledger.context import TxResult
from inzira.node.store import TxLocation
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket

INFLIGHT_TXS_MAX = 200_000
# A transaction can still enter a block after its deadline (marked expired); give it this much chain time.
EXPIRY_GRACE_MS = 60_000
# Expired tickets concluded per block (each one an index lookup); the rest wait for the next block.
EXPIRED_PER_BLOCK_MAX = 2_000

# Where the chain spent each of these transaction ids, for those it spent (Node.locate).
Locate = Callable[[Sequence[bytes]], Mapping[bytes, TxLocation]]

log = logging.getLogger(__name__)


class Inflight:
    def __init__(self, locate: Locate, capacity: int = INFLIGHT_TXS_MAX, grace_ms: int = EXPIRY_GRACE_MS) -> None:
        self.capacity = capacity
        self.grace_ms = grace_ms
        self._locate = locate
        self._tickets: dict[bytes, Ticket] = {}
        # (expires_at_ms, key, transaction id); entries of tickets resolved meanwhile are skipped
        self._deadlines: list[tuple[int, bytes, bytes]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tickets)

    def register(self, key: bytes, tx_id: bytes, expires_at_ms: int) -> tuple[Ticket, bool]:
        """The ticket of the transaction (id ``tx_id``) whose bytes hash to ``key`` and whether it is new (then
        the caller publishes the transaction)."""
        with self._lock:
            ticket = self._tickets.get(key)
            if ticket is not None:
                return ticket, False
            if len(self._tickets) >= self.capacity:
                raise Busy("too many transactions waiting for a block")
            ticket = self._tickets[key] = Ticket()
            heapq.heappush(self._deadlines, (expires_at_ms, key, tx_id))
            return ticket, True

    def resolve(self, key: bytes, outcome: Outcome) -> None:
        with self._lock:
            ticket = self._tickets.pop(key, None)
        if ticket is not None:
            ticket.set_result(outcome)

    def fail(self, keys: Sequence[bytes], error: BaseException) -> None:
        with self._lock:
            tickets = [t for t in (self._tickets.pop(k, None) for k in keys) if t is not None]
        for ticket in tickets:
            ticket.set_exception(error)

    def fail_all(self, error: BaseException) -> None:
        with self._lock:
            tickets, self._tickets = list(self._tickets.values()), {}
            self._deadlines = []
        for ticket in tickets:
            ticket.set_exception(error)

    def on_block(self, header: BlockHeader, _block_hash: bytes, items: Sequence[Prepared],
                 results: Sequence[TxResult]) -> None:
        """A node commit hook, called once the block is stored: resolve the tickets of the block's
        transactions, then sweep the expired."""
        if not self._tickets:
            return
        found: list[tuple[Ticket, Outcome]] = []
        elsewhere: list[tuple[Ticket, Outcome]] = []  # not these bytes: answered where the id was spent, if it was
        height = header.height
        with self._lock:
            tickets = self._tickets
            for index, (p, result) in enumerate(zip(items, results)):
                ticket = tickets.pop(raw_tx_hash(p.raw), None)
                if ticket is not None:
                    outcome = Outcome(p.tx_id, result.code, result.at, height, index)
                    (elsewhere if result.code == Code.DUPLICATE else found).append((ticket, outcome))
            elsewhere += self._expired(header.timestamp_ms)
        for ticket, outcome in found:
            ticket.set_result(outcome)
        if elsewhere:
            self._answer_from_index(elsewhere)

    def _expired(self, chain_time_ms: int) -> list[tuple[Ticket, Outcome]]:
        """Under the lock: tickets whose bytes can no longer be in any block, at most a batch of them."""
        out: list[tuple[Ticket, Outcome]] = []
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] + self.grace_ms < chain_time_ms and len(out) < EXPIRED_PER_BLOCK_MAX:
            _, key, tx_id = heapq.heappop(deadlines)
            ticket = self._tickets.pop(key, None)
            if ticket is not None:
                out.append((ticket, Outcome(tx_id, Code.EXPIRED)))
        return out

    def _answer_from_index(self, concluded: list[tuple[Ticket, Outcome]]) -> None:
        """Answer each ticket where the chain spent its id, or with its own conclusion when it spent it nowhere.
        Never "expired" for an id the chain spent: the body's effects are committed (or refused) there."""
        try:
            spent = self._locate([outcome.tx_id for _, outcome in concluded])
        except sqlite3.Error as exc:
            log.error("could not look up %d concluded transactions in the index: %r", len(concluded), exc)
            for ticket, _ in concluded:
                ticket.set_exception(Stopped(f"the transaction index could not be read: {exc}"))
            return
        for ticket, outcome in concluded:
            where = spent.get(outcome.tx_id)
            if where is not None:
                outcome = Outcome(outcome.tx_id, where.code, where.at, where.height, where.index)
            ticket.set_result(outcome)
