"""Compliance at the sending FSP, before any money moves: the decision on one transfer, as a record.

``compliance.rules.decide`` does the judging (sanctions screening of both names, per-transfer and daily
limits, velocity); this adds what it needs from the books (the sender's recent transfers) and turns the
outcome into a ``DecisionRecord`` kept with its reasons and the list it was screened against (source,
version, date, SHA-256). When the list came from a file, its age is checked on every decision
(`compliance.freshness`): past the alert age the operators are told (a warning in the log, once per list),
past the hold age new transfers are held.
"""

from __future__ import annotations

import logging

from inzira.money import Amount, currency
from inzira.remit.compliance.freshness import ListFreshness, ListState, ListStatus, list_status
from inzira.remit.compliance.names import query_name_problem
from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.compliance.rules import Decision, Party, decide, decision_of, name_reasons
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.remit.records import DecisionRecord, Reason
from inzira.remit.store.transfers import TransferStore

SCREENING = "screening"
log = logging.getLogger(__name__)


def reasons_of(decision: Decision) -> tuple[Reason, ...]:
    out = []
    for r in decision.reasons:
        match = r.match
        out.append(Reason(r.code.value, r.message, r.party.value if r.party else None,
                          match.reference_number if match else None, match.matched_name if match else None,
                          match.score if match else None))
    return tuple(out)


class Screening:
    def __init__(self, policy: CompliancePolicy, sanctions: SanctionsIndex, store: TransferStore,
                 freshness: ListFreshness | None = None) -> None:
        self.policy = policy
        self.sanctions = sanctions
        self.store = store
        self.freshness = freshness  # None: the list's age is not checked (the fictional sample list)
        self._alerted = ""  # the label of the list an alert was last raised for

    def replace_list(self, sanctions: SanctionsIndex) -> None:
        """Screen against `sanctions` from now on (one reference swap: a decision sees one list or the other)."""
        self.sanctions = sanctions

    def list_status(self, now_ms: int) -> ListStatus | None:
        if self.freshness is None:
            return None
        status = list_status(self.sanctions.sanctions, now_ms, self.freshness)
        label = self.sanctions.sanctions.label
        if status.state is not ListState.FRESH and self._alerted != label:
            self._alerted = label
            log.warning("sanctions list alert: %s", status.message)
        return status

    def hold_reason(self, name: str) -> str | None:
        """Why a name is held against the current list, or None: for a QR merchant at onboarding and a
        wallet's holder at its creation (`inzira.qr.name_screening`)."""
        problem = query_name_problem(name)
        if problem is not None:
            return f"the name cannot be screened: {problem}"
        index = self.sanctions
        result = index.screen(name, self.policy.thresholds)
        if not result.matches:
            return None
        match = result.matches[0]
        return (f"list entry {match.entry.reference_number or match.entry.data_id} ({match.matched_name.text!r}, "
                f"score {match.score}), {index.sanctions.label}. {match.explanation}")

    def holder_reasons(self, holder_name: str) -> tuple[Reason, ...]:
        """The account holder's name against the list, in words that do not repeat the name."""
        reasons = []
        for r in name_reasons(Party.ACCOUNT_HOLDER, holder_name, self.policy, self.sanctions):
            match = r.match
            what = (f"matches list entry {match.reference_number} (score {match.score})" if match
                    else "cannot be screened")
            message = (f"the receiving account holder's name, as the receiving FSP reports it, {what}: held for a "
                       "compliance officer")
            reasons.append(Reason(r.code.value, message, r.party.value if r.party else None,
                                  match.reference_number if match else None, None, match.score if match else None))
        return tuple(reasons)

    def decide(self, *, sending_fsp: str, transfer_id: str, sender_id: str, sender_name: str, receiver_name: str,
               amount_minor: int, currency_code: str, now_ms: int,
               holder_reasons: tuple[Reason, ...] = ()) -> DecisionRecord:
        history = self.store.history(sending_fsp, sender_id, now_ms - self.policy.daily_window_ms,
                                     self.policy.history_records_max)
        index = self.sanctions
        decision = decide(sender_name=sender_name, receiver_name=receiver_name,
                          amount=Amount(amount_minor, currency(currency_code)), history=history, now_ms=now_ms,
                          policy=self.policy, sanctions=index, list_status=self.list_status(now_ms))
        outcome = decision.outcome.value
        if holder_reasons and outcome == "pass":
            outcome = "hold"
        return DecisionRecord(transfer_id, sending_fsp, now_ms, outcome, SCREENING,
                              reasons_of(decision) + holder_reasons, sanctions_list=index.sanctions.label)

    def screen_names(self, *, sending_fsp: str, transfer_id: str, names: list[tuple[Party, str]],
                     now_ms: int) -> DecisionRecord:
        """A decision on names alone: the account holder's name the receiving FSP reports, or a transfer's
        names again against a newly loaded list. Pass, or hold with the matches."""
        index = self.sanctions
        reasons = [r for party, name in names for r in name_reasons(party, name, self.policy, index)]
        decision = decision_of(reasons)
        return DecisionRecord(transfer_id, sending_fsp, now_ms, decision.outcome.value, SCREENING,
                              reasons_of(decision), sanctions_list=index.sanctions.label)
