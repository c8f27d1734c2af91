"""Whether a pending transfer to a receiving FSP's accounts is what that FSP quoted: paid out only if it is.

Made by the sending FSP that agreed the quote, locked with this FSP's own condition (one it can open), crediting
its accounts exactly the quoted amounts, and held no longer after the quote than it agreed to.
"""

from __future__ import annotations

from typing import Protocol

from inzira.ledger.ids import account_owner
from inzira.ledger.records import PendingTransfer
from inzira.remit.records import PayeeTerms
from inzira.remit.settings import fee_account, position_account


class Lock(Protocol):
    """A receiving FSP's hashlock on the terms it kept (``ReceivingFsp``)."""

    def condition(self, terms: PayeeTerms) -> bytes: ...

    def fulfilment(self, terms: PayeeTerms) -> bytes: ...


def not_as_quoted(pending: PendingTransfer, terms: PayeeTerms, fsp: str, lock: Lock,
                  transfer_ttl_ms_max: int) -> str | None:
    """Why ``pending`` is not what ``fsp`` quoted in ``terms``, or None."""
    if pending.creator != terms.sending_fsp:  # another member paying under it would void the sender's own
        return "the transfer was not made by the sending FSP that agreed the quote"
    if pending.condition != terms.condition:
        return "the transfer is not locked with this FSP's condition"
    if lock.condition(terms) != terms.condition:  # kept under another derivation: paid, it could not commit
        return "the quote's condition is not one this FSP can open"
    credited: dict[tuple[str, str], int] = {}
    for leg in pending.legs:
        if account_owner(leg.credit) == fsp:
            credited[(leg.credit, leg.currency)] = credited.get((leg.credit, leg.currency), 0) + leg.amount_minor
    quoted = {(position_account(fsp, terms.currency), terms.currency): terms.amount_received_minor}
    if terms.receiving_fee_minor:
        quoted[(fee_account(fsp, terms.currency), terms.currency)] = terms.receiving_fee_minor
    if credited != quoted:
        return "the transfer credits this FSP other amounts than it quoted"
    if pending.expires_at_ms > terms.expires_at_ms + transfer_ttl_ms_max:
        return "the transfer is held longer after its quote than this FSP agreed to"
    return None
