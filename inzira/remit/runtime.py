"""What the remittance service needs from a running ledger: reads and submission, and no key.

``inzira.node.embedded.Embedded`` and ``inzira.peer.runtime.PeerRuntime`` provide it. The service signs only
through the ports of the members it acts for (``inzira.node.custody.MemberPort``), which its composition root
hands it: in the demo the sending and receiving FSPs, in a member's own deployment that member alone.
"""

from __future__ import annotations

from typing import Protocol

from inzira.node.node import Node
from inzira.ordering.outcome import Ticket


class RemitRuntime(Protocol):
    node: Node
    chain_id: bytes

    def submit(self, raw: bytes) -> Ticket: ...
