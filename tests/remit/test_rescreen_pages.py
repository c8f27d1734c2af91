"""A new sanctions list screens every open transfer once, also when more than a page of them (the store's 500)
were created in one millisecond. Before, the walk went back by the time of a page's oldest transfer, and a page
all in one millisecond ended the walk there: the rest of that millisecond's transfers were never screened."""

from __future__ import annotations

import asyncio
from pathlib import Path

from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.remit.events import EventHub
from inzira.remit.records import DecisionRecord, QuoteTerms, TimelineStep, TransferRecord, TransferState
from inzira.remit.rescreen import Rescreen
from inzira.remit.screening import Screening
from inzira.remit.store.db import Db
from inzira.remit.store.transfers import LIST_LIMIT_MAX, TransferStore
from inzira.remit.transitions import Transitions

SAME_MS = 1_700_000_000_000
LISTED = "Muhammad Yusuf Qarzanithi"  # on the sample list (ZZi.001)


def _held(store: TransferStore, n: int, created_at_ms: int) -> str:
    transfer_id, quote_id = f"t-{n:05d}", f"q-{n:05d}"
    store.put_quote(QuoteTerms(
        quote_id=quote_id, sending_fsp="eurosend", receiving_fsp="mobimo", fx_member="imari-fx",
        msisdn="+250780000001", masked_name="M*** Q***", source_currency="EUR", amount_sent_minor=10_000,
        sending_fee_minor=100, target_currency="RWF", gross_target_minor=1_500_000, receiving_fee_minor=1_000,
        amount_received_minor=1_499_000, rate="150", mid_rate="151", margin_percent="0.66", fx_margin_minor=66,
        rates_as_of="now", condition=b"c" * 32, fx_quote=b"q", created_at_ms=created_at_ms,
        expires_at_ms=created_at_ms + 60_000))
    store.create(TransferRecord(transfer_id=transfer_id, sending_fsp="eurosend", receiving_fsp="mobimo",
                                quote_id=quote_id, request_hash=b"h" * 32, state=TransferState.HELD,
                                sender_id="s1", sender_name="Jeanne Uwase", receiver_name=LISTED,
                                msisdn="+250780000001", source_currency="EUR", amount_sent_minor=10_000,
                                amount_received_minor=1_499_000, created_at_ms=created_at_ms,
                                updated_at_ms=created_at_ms, expires_at_ms=0),
                 TimelineStep(created_at_ms, "HELD", "HELD"),
                 DecisionRecord(transfer_id, "eurosend", created_at_ms, "hold", "screening"), None)
    return transfer_id


def test_every_open_transfer_is_screened_once_however_many_share_a_millisecond(tmp_path: Path) -> None:
    db = Db(tmp_path / "remit.db")
    try:
        store = TransferStore(db)
        times = [SAME_MS + 1, *[SAME_MS] * (LIST_LIMIT_MAX + 100), SAME_MS - 1]
        made = {_held(store, n, at_ms) for n, at_ms in enumerate(times)}
        clock = lambda: SAME_MS + 10  # noqa: E731
        screening = Screening(CompliancePolicy(), SanctionsIndex(load_sample_sanctions()), store)
        rescreen = Rescreen(screening, store, Transitions(store, EventHub(10, 10, clock), clock), {}, clock)
        walked = [r.transfer_id for r in rescreen.open_transfers()]
        assert len(walked) == len(set(walked)) == len(made) and set(walked) == made
        report = asyncio.run(rescreen.load(load_sample_sanctions()))
        assert report.screened == len(made) and set(report.matched) == made
    finally:
        db.close()
