"""The party directory: phone numbers -> the receiving FSP that serves them, on chain as keyed hashes.

A receiving FSP registers each wallet's number with ``SetParty(HMAC-SHA256(directory key, E.164))``; a
sending FSP hashes the number it is given with the same key and reads the ledger's directory. The key is
network-wide (every member holds it, see ``secrets_files``), so members can look numbers up while the chain
itself reveals none.
"""

from __future__ import annotations

from inzira.ledger.tx import SetParty
from inzira.node.node import Node
from inzira.remit.phone import E164, directory_hash


class Directory:
    def __init__(self, key: bytes, node: Node) -> None:
        self._key = key
        self._node = node

    def party_hash(self, e164: E164) -> bytes:
        return directory_hash(e164, self._key)

    def fsp_for(self, e164: E164) -> str | None:
        """The receiving FSP registered for the number in the committed state, or None."""
        return self._node.state.parties.get(self.party_hash(e164))

    def registration(self, e164: E164, active: bool = True) -> SetParty:
        """The operation a receiving FSP signs to list (or, with ``active=False``, unlist) a number."""
        return SetParty(self.party_hash(e164), active)
