"""Loading a new sanctions list, and screening again every transfer that can still be stopped.

A new list takes effect at once for new transfers (`Screening.replace_list`). Then the transfers not yet
final are screened again, by their names, against it:

- a HELD transfer that now matches gets the new decision beside the old one: the officer sees both;
- a RECEIVED or RESERVED transfer that now matches gets the decision, and its receiving FSP is told not to
  pay out: it voids the transfer as its payee, at once when the money is reserved and the payout has not
  started, or as soon as the reservation lands (`PayoutFlow.stop`). The money goes back to the sender's
  FSP. A payout already under way cannot be called back: the timeline says so for the officer.

The index for a large list takes seconds to build: it is built off the service's loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from inzira.remit.compliance.rules import Party
from inzira.remit.compliance.sanctions import SanctionsList
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.remit.receiving import ReceivingFsp
from inzira.remit.records import TransferRecord, TransferState
from inzira.remit.screening import Screening
from inzira.remit.store.transfers import LIST_LIMIT_MAX, TransferStore
from inzira.remit.transitions import Transitions

# Transfers screened again per list load, the newest first. More than this many open transfers at once is
# beyond what the service holds (reconciliation finishes them in minutes).
RESCREEN_TRANSFERS_MAX = 100_000
RESCREENED = "RESCREENED"


@dataclass(frozen=True, slots=True)
class RescreenReport:
    sanctions_list: str  # the new list's label
    screened: int
    matched: tuple[str, ...]  # transfer ids that now match the list
    stopped: tuple[str, ...]  # of those, the ones whose receiving FSP will not pay out
    too_late: tuple[str, ...]  # of those, the ones whose payout was already under way


class Rescreen:
    def __init__(self, screening: Screening, transfers: TransferStore, transitions: Transitions,
                 agents: Mapping[str, ReceivingFsp], clock_ms: Callable[[], int]) -> None:
        self.screening = screening
        self.transfers = transfers
        self.transitions = transitions
        self.agents = agents
        self.clock_ms = clock_ms

    async def load(self, sanctions: SanctionsList) -> RescreenReport:
        """Screen against `sanctions` from now on, and screen the open transfers again (on the service's loop)."""
        index = await asyncio.to_thread(SanctionsIndex, sanctions)
        self.screening.replace_list(index)
        screened = 0
        matched: list[str] = []
        stopped: list[str] = []
        too_late: list[str] = []
        for record in self.open_transfers():
            screened += 1
            decision = self.screening.screen_names(
                sending_fsp=record.sending_fsp, transfer_id=record.transfer_id, now_ms=self.clock_ms(),
                names=[(Party.SENDER, record.sender_name), (Party.RECEIVER, record.receiver_name)])
            if decision.outcome == "pass":
                continue
            matched.append(record.transfer_id)
            self.transfers.add_decision(decision)
            why = "; ".join(r.message for r in decision.reasons)
            detail = f"screened again against the {sanctions.label}: {why}"
            agent = self.agents.get(record.receiving_fsp)
            if record.state is TransferState.HELD or not record.reserve_tx_id or agent is None:
                self.transitions.note(record.transfer_id, RESCREENED, detail)
                continue
            if await agent.payout_flow.stop(record.reserve_tx_id, record.transfer_id,
                                            "a party is on the sanctions list"):
                stopped.append(record.transfer_id)
                self.transitions.note(record.transfer_id, RESCREENED,
                                      f"{detail}. {record.receiving_fsp} was told not to pay out")
            else:
                too_late.append(record.transfer_id)
                self.transitions.note(record.transfer_id, RESCREENED,
                                      f"{detail}. The payout was already under way at {record.receiving_fsp}")
        return RescreenReport(sanctions.label, screened, tuple(matched), tuple(stopped), tuple(too_late))

    def open_transfers(self) -> list[TransferRecord]:
        """Open transfers, newest first, at most RESCREEN_TRANSFERS_MAX: each page starts after the last row of
        the one before (creation time, then id), so transfers created in one millisecond are neither split
        across pages and lost nor read twice."""
        states = (TransferState.HELD, TransferState.RECEIVED, TransferState.RESERVED)
        found: list[TransferRecord] = []
        after: tuple[int, str] | None = None
        for _ in range(RESCREEN_TRANSFERS_MAX // LIST_LIMIT_MAX):
            page = self.transfers.page(states=states, limit=LIST_LIMIT_MAX, after=after)
            found += page
            if len(page) < LIST_LIMIT_MAX:
                break
            after = (page[-1].created_at_ms, page[-1].transfer_id)
        return found
