"""What the API needs from a running ledger, so the embedded network and a distributed one both fit.

``inzira.node.embedded.Embedded`` implements it (node + solo orderer); a JetStream runtime will too.
``submit`` returns at once with a ticket that resolves once the transaction's block is durable, or raises
``Busy`` (too many waiting: retry later) or ``Stopped`` (not taking transactions). A ticket may also fail
with ``NodeError`` if the node stops while the transaction is on its way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from inzira.node.node import Node
from inzira.ordering.outcome import Ticket


class LedgerRuntime(Protocol):
    node: Node  # reads: transactions, receipts, accounts, blocks, the event feed
    api_tokens: Mapping[str, str]  # API token -> member id
    chain_id: bytes

    def submit(self, raw: bytes) -> Ticket: ...
