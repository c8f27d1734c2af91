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
from inzira.remit.records import TransferState
from inzira.remit.rescreen import Rescreen
from inzira.remit.screening import Screening
from inzira.remit.store.db import Db
from inzira.remit.store.transfers import LIST_LIMIT_MAX, TransferStore
from inzira.remit.transitions import Transitions
from tests.stored_transfers import stored_transfer

SAME_MS = 1_700_000_000_000
LISTED = "Muhammad Yusuf Qarzanithi"  # on the sample list (ZZi.001)


def _held(store: TransferStore, n: int, created_at_ms: int) -> str:
    return stored_transfer(store, "eurosend", created_at_ms, TransferState.HELD, "hold", transfer_id=f"t-{n:05d}",
                           receiver_name=LISTED)


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
