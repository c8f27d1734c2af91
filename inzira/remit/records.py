"""The service's records: quote terms, transfers and their states, timeline steps, decisions, payouts.

Immutable: a change of state is a new record (``msgspec.structs.replace``), stored as a new row version.
Amounts are integer minor units; ``*_minor`` names say so.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class TransferState(StrEnum):
    RECEIVED = "RECEIVED"  # accepted by the sending FSP, compliance passed, on its way to the ledger
    HELD = "HELD"  # compliance holds it for an officer; nothing on chain yet
    REJECTED = "REJECTED"  # compliance (or its officer) refused it; nothing on chain, no money moved
    RESERVED = "RESERVED"  # the pending hashlocked transfer is in a block: funds reserved
    COMMITTED = "COMMITTED"  # the receiving FSP paid out and revealed the fulfilment: final
    ABORTED = "ABORTED"  # refused by the ledger, voided after a failed payout, or expired: money back


FINAL_STATES = frozenset({TransferState.REJECTED, TransferState.COMMITTED, TransferState.ABORTED})
# Timeline steps the receiving FSP sees (its view, its event streams, its webhooks): what happened on the ledger
# and at its own payout, never the sending side's compliance work (holds, decisions, screening again).
PAYEE_STEPS = frozenset({"RESERVED", "COMMITTED", "ABORTED", "EXPIRED", "RECONCILE", "PAYOUT_STARTED",
                         "PAYOUT_PENDING", "PAYOUT_SUCCESSFUL", "PAYOUT_FAILED"})


class QuoteTerms(msgspec.Struct, frozen=True, kw_only=True):
    """What a quote binds: every amount, the FX rate, the hashlock condition and the signed FX quote."""

    quote_id: str
    sending_fsp: str
    receiving_fsp: str
    fx_member: str
    msisdn: str
    masked_name: str
    source_currency: str
    amount_sent_minor: int  # what the FX provider converts: leaves the sender's position
    sending_fee_minor: int  # the sending FSP's fee, paid by its customer on top (source currency)
    target_currency: str
    gross_target_minor: int  # what the FX provider delivers: amount received + receiving fee
    receiving_fee_minor: int  # the receiving FSP's fee, kept from the gross (target currency)
    amount_received_minor: int  # paid out to the wallet
    rate: str  # target units per source unit given, exact decimal
    mid_rate: str  # the mid-market reference rate
    margin_percent: str  # (mid - rate) / mid, percent
    fx_margin_minor: int  # what the spread costs the customer, source minor units
    rates_as_of: str
    condition: bytes  # SHA-256 of the receiving FSP's fulfilment
    fx_quote: bytes  # the FX provider's SignedQuote, canonical bytes, carried into the transaction
    created_at_ms: int
    expires_at_ms: int
    # The receiving FSP's screening of its account holder's name at the name check: the list entries it
    # matches, without the name (the sending side sees only the masked name).
    holder_reasons: tuple[Reason, ...] = ()
    # The originator's name and the receiver's as the customer gave them with the quote (the travel rule): a
    # receiving FSP at its own deployment is told them and screens the sender's; a transfer must carry the same.
    sender_name: str = ""
    receiver_name: str = ""

    def payee_terms(self) -> PayeeTerms:
        return PayeeTerms(quote_id=self.quote_id, sending_fsp=self.sending_fsp, receiving_fsp=self.receiving_fsp,
                          msisdn=self.msisdn, currency=self.target_currency,
                          amount_received_minor=self.amount_received_minor,
                          receiving_fee_minor=self.receiving_fee_minor, condition=self.condition,
                          expires_at_ms=self.expires_at_ms, sender_name=self.sender_name,
                          receiver_name=self.receiver_name)


class PayeeTerms(msgspec.Struct, frozen=True, kw_only=True):
    """What a receiving FSP agreed to for a quote: the reservation it pays out must credit it exactly this, under
    this condition. Its own quotes' terms, or a sending FSP's deployment's quote it answered (``PayeeQuotes``)."""

    quote_id: str
    sending_fsp: str
    receiving_fsp: str
    msisdn: str
    currency: str
    amount_received_minor: int  # to the wallet (credited to its position account)
    receiving_fee_minor: int  # credited to its fee account
    condition: bytes
    expires_at_ms: int  # the quote's: a reservation must be made before it
    # The originator's name and the receiver's as the sending FSP told them (the travel rule); "" in a quote
    # kept before they travelled.
    sender_name: str = ""
    receiver_name: str = ""


class TransferRecord(msgspec.Struct, frozen=True, kw_only=True):
    transfer_id: str
    sending_fsp: str
    receiving_fsp: str
    quote_id: str
    request_hash: bytes  # SHA-256 of the canonical request: same id with another body is 3106
    state: TransferState
    code: int = 0  # why it is REJECTED or ABORTED (Mojaloop-style code), 0 otherwise
    reason: str = ""
    sender_id: str
    sender_name: str
    receiver_name: str
    msisdn: str
    source_currency: str
    amount_sent_minor: int
    amount_received_minor: int
    created_at_ms: int
    updated_at_ms: int
    expires_at_ms: int  # the on-chain reservation's deadline (0 while nothing is on chain)
    reserve_tx_id: bytes = b""  # = the pending transfer's id
    resolve_tx_id: bytes = b""  # the PostPending or VoidPending that resolved it


class TimelineStep(msgspec.Struct, frozen=True):
    at_ms: int
    step: str  # a state name, or PAYOUT_STARTED / PAYOUT_SUCCESSFUL / PAYOUT_FAILED / APPROVED ...
    state: str  # the transfer's state after this step
    detail: str = ""
    code: int = 0
    tx_id: bytes = b""


class Reason(msgspec.Struct, frozen=True):
    code: str
    message: str
    party: str | None = None
    list_reference: str | None = None
    matched_name: str | None = None
    score: int | None = None


class DecisionRecord(msgspec.Struct, frozen=True):
    transfer_id: str
    sending_fsp: str
    at_ms: int
    outcome: str  # pass / hold / reject (screening) or approve / reject (officer)
    decided_by: str  # "screening", or "officer:<member>"
    reasons: tuple[Reason, ...] = ()
    note: str = ""
    sanctions_list: str = ""  # the list screened against: source, version, date and SHA-256 (screening only)


class PayoutRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The receiving FSP's payout of one pending transfer (keyed by the pending id)."""

    pending_id: bytes
    fsp: str
    quote_id: str
    reference_id: str
    msisdn: str
    amount_minor: int
    currency: str
    status: str  # NEW, PENDING, SUCCESSFUL, FAILED, UNKNOWN (not final when the transfer was aborted)
    reason: str = ""
    operator_txn_id: str = ""
    updated_at_ms: int
    resolve_tx_id: bytes = b""
