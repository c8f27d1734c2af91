"""Tickets of transactions this peer handed to the ordering service, resolved when THIS peer stores them.

A submitter hears of its transaction once the block holding it is durable here, whichever peer cut that
block. Tickets are keyed by the transaction's exact bytes (``raw_tx_hash``): two submissions of the same bytes
share one ticket, while a copy of the body under other signatures, which may be refused where the original
is not, has its own. A transaction that never reaches a block (its
publish failed, it was lost before ordering) is answered "expired" once the chain's own clock is well past
its deadline, so the table stays bounded even then.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Sequence

from inzira.ledger.apply import Prepared
from inzira.ledger.block import BlockHeader, raw_tx_hash
from inzira.ledger.codes import Code
from inzira.ledger.context import TxResult
from inzira.ordering.outcome import Busy, Outcome, Ticket

INFLIGHT_TXS_MAX = 200_000
# A transaction can still enter a block after its deadline (marked expired); give it this much chain time.
EXPIRY_GRACE_MS = 60_000


class Inflight:
    def __init__(self, capacity: int = INFLIGHT_TXS_MAX) -> None:
        self.capacity = capacity
        self._tickets: dict[bytes, Ticket] = {}
        self._deadlines: list[tuple[int, bytes]] = []  # (expires_at_ms, tx id); stale entries skipped
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._tickets)

    def register(self, key: bytes, expires_at_ms: int) -> tuple[Ticket, bool]:
        """The ticket of the transaction whose bytes hash to ``key`` and whether it is new (then the caller
        publishes the transaction)."""
        with self._lock:
            ticket = self._tickets.get(key)
            if ticket is not None:
                return ticket, False
            if len(self._tickets) >= self.capacity:
                raise Busy("too many transactions waiting for a block")
            ticket = self._tickets[key] = Ticket()
            heapq.heappush(self._deadlines, (expires_at_ms, key))
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
        """A node commit hook: resolve the tickets of the block's transactions, then sweep the expired."""
        if not self._tickets:
            return
        found: list[tuple[Ticket, Outcome]] = []
        height = header.height
        with self._lock:
            tickets = self._tickets
            for index, (p, result) in enumerate(zip(items, results)):
                ticket = tickets.pop(raw_tx_hash(p.raw), None)
                if ticket is not None:
                    found.append((ticket, Outcome(p.tx_id, result.code, result.at, height, index)))
            found += self._expired(header.timestamp_ms)
        for ticket, outcome in found:
            ticket.set_result(outcome)

    def _expired(self, chain_time_ms: int) -> list[tuple[Ticket, Outcome]]:
        """Under the lock: tickets whose transaction can no longer be in any block."""
        out: list[tuple[Ticket, Outcome]] = []
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] + EXPIRY_GRACE_MS < chain_time_ms:
            _, key = heapq.heappop(deadlines)
            ticket = self._tickets.pop(key, None)
            if ticket is not None:
                out.append((ticket, Outcome(b"", Code.EXPIRED)))
        return out
