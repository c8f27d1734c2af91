"""What the payee side needs from the rest of Inzira: who a party is, and the ledger.

The gateway does not reach into the remittance or QR services' internals: the composition (demo, or an
operator's deployment) gives it a ``PartyBook`` and a ``PayeeLedger``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Party:
    """A payee served on Inzira: a wallet (MSISDN) or a merchant (BUSINESS)."""

    id_type: str
    id_value: str
    member: str  # the Inzira member that serves it
    credit_account: str  # the RWF account a payment to it credits on Inzira
    masked_name: str  # "J*** U****": what the payee FSP's policy lets a payer see by default
    first_name: str = ""  # the full name, shown only when the policy allows it
    last_name: str = ""
    currency: str = "RWF"


class PartyBook(Protocol):
    async def find(self, id_type: str, id_value: str) -> Party | None:
        """The party, or None when Inzira serves no such party."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The ledger's answer: ``code`` 0 is accepted; ``pending_id`` names the pending transfer made."""

    code: int
    pending_id: bytes = b""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.code == 0


class PayeeLedger(Protocol):
    """The gateway's moves on Inzira. Each returns None when the ledger gave no verdict in time."""

    async def reserve(self, transfer_id: str, party: Party, amount_minor: int, currency: str, condition: bytes,
                      expires_at_ms: int) -> Verdict | None: ...

    async def commit(self, pending_id: bytes, fulfilment: bytes) -> Verdict | None: ...

    async def abort(self, pending_id: bytes) -> Verdict | None: ...

    def state(self, pending_id: bytes) -> str:
        """"RESERVED", "COMMITTED", "ABORTED", or "" when the ledger has no such pending transfer."""
