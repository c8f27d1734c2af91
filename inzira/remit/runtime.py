"""What the remittance service needs from a running ledger: reads, submission, and the members' keys.

``inzira.node.embedded.Embedded`` provides it: in the demo one process holds every member's key, and the
service acts for each member with that member's own key (sending FSPs, receiving FSPs, the FX provider's
desk, the settlement bank confirming deposits).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from inzira.crypto import KeyPair
from inzira.node.node import Node
from inzira.node.signer import MemberSigner
from inzira.ordering.outcome import Ticket


class RemitRuntime(Protocol):
    node: Node
    chain_id: bytes
    keys: Mapping[str, KeyPair]

    def submit(self, raw: bytes) -> Ticket: ...

    def signer(self, member_id: str) -> MemberSigner: ...
