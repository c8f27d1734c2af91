"""The ledger runtime of a peer on the JetStream network: what the API and the services use.

``submit`` publishes a signed transaction to the transactions stream (through the outbox) and returns a
ticket that resolves when THIS peer's node has stored the block holding it, whichever peer cut it; a
transaction already in this peer's chain is answered at once from its index. Services see the same
``LedgerRuntime`` as on the embedded network, never the ordering mode. It holds no key: the peer's member
signs through its own port (``Peer.port``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from inzira.ledger.apply import prepare
from inzira.ledger.block import raw_tx_hash
from inzira.ledger.codes import Code
from inzira.node.node import Node
from inzira.ordering.outcome import Busy, Outcome, Stopped, Ticket
from inzira.peer.inflight import Inflight
from inzira.peer.outbox import Outbox


class PeerRuntime:
    def __init__(self, node: Node, member: str, api_tokens: Mapping[str, str], inflight: Inflight, outbox: Outbox,
                 problem: Callable[[], str | None]) -> None:
        self.node = node
        self.member = member
        self.chain_id = node.chain_id
        self.api_tokens = dict(api_tokens)  # API token -> member: a member's peer serves that member only
        self._inflight = inflight
        self._outbox = outbox
        self._problem = problem  # why the peer takes no transactions now, or None

    def submit(self, raw: bytes) -> Ticket:
        problem = self._problem()
        if problem:
            raise Stopped(problem)
        p = prepare(raw)
        if p.code != Code.OK or p.body is None:
            return Ticket.resolved(Outcome(b"", int(p.code)))
        tx_id, key = p.tx_id, raw_tx_hash(raw)
        ticket, new = self._inflight.register(key, tx_id, p.body.expires_at_ms)
        # Looked up after registering: a block stored in between resolves the ticket one way or the other.
        # The index holds only spent ids, so a refused copy of this body never answers for it.
        found = self.node.locate([tx_id]).get(tx_id)
        if found is not None:
            self._inflight.resolve(key, Outcome(tx_id, found.code, found.at, found.height, found.index))
        elif new and not self._outbox.put(key, raw):
            busy = Busy("the ledger is busy: too many transactions waiting to be published")
            self._inflight.fail([key], busy)
            raise busy
        return ticket
