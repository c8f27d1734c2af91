"""Transfers written straight into a remittance service's own store, as its sending desk records them: for the
listing tests, which need many transfers at chosen times (several in one millisecond) without sending each."""

from __future__ import annotations

import uuid

from inzira.remit.records import DecisionRecord, QuoteTerms, TimelineStep, TransferRecord, TransferState
from inzira.remit.store.transfers import TransferStore

_CODES = {TransferState.REJECTED: 4140, TransferState.ABORTED: 3303}


def stored_transfer(store: TransferStore, sending_fsp: str, created_at_ms: int, state: TransferState,
                    outcome: str = "pass", reserve_tx_id: bytes = b"", *, transfer_id: str | None = None,
                    receiver_name: str = "Old Receiver") -> str:
    """A transfer from ``sending_fsp`` to mobimo, screened with ``outcome`` (hold or reject: flagged); its id."""
    transfer_id, quote_id = transfer_id or str(uuid.uuid4()), f"q-{uuid.uuid4().hex}"
    store.put_quote(QuoteTerms(
        quote_id=quote_id, sending_fsp=sending_fsp, receiving_fsp="mobimo", fx_member="imari-fx",
        msisdn="+250780000003", masked_name="J*** U***", source_currency="EUR", amount_sent_minor=10_000,
        sending_fee_minor=100, target_currency="RWF", gross_target_minor=1_500_000, receiving_fee_minor=1_000,
        amount_received_minor=1_499_000, rate="150", mid_rate="151", margin_percent="0.66", fx_margin_minor=66,
        rates_as_of="then", condition=b"c" * 32, fx_quote=b"q", created_at_ms=created_at_ms,
        expires_at_ms=created_at_ms + 60_000))
    record = TransferRecord(transfer_id=transfer_id, sending_fsp=sending_fsp, receiving_fsp="mobimo",
                            quote_id=quote_id, request_hash=b"h" * 32, state=state, code=_CODES.get(state, 0),
                            sender_id="s-old", sender_name="Old Sender", receiver_name=receiver_name,
                            msisdn="+250780000003", source_currency="EUR", amount_sent_minor=10_000,
                            amount_received_minor=1_499_000, created_at_ms=created_at_ms,
                            updated_at_ms=created_at_ms, expires_at_ms=0, reserve_tx_id=reserve_tx_id)
    store.create(record, TimelineStep(created_at_ms, state.value, state.value),
                 DecisionRecord(transfer_id, sending_fsp, created_at_ms, outcome, "screening"), None)
    return transfer_id
