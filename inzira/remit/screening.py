"""Compliance at the sending FSP, before any money moves: the decision on one transfer, as a record.

``compliance.rules.decide`` does the judging (sanctions screening of both names, per-transfer and daily
limits, velocity); this adds what it needs from the books (the sender's recent transfers) and turns the
outcome into a ``DecisionRecord`` kept with its reasons.
"""

from __future__ import annotations

from inzira.money import Amount, currency
from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.compliance.rules import Decision, decide
from inzira.remit.compliance.screening import SanctionsIndex
from inzira.remit.records import DecisionRecord, Reason
from inzira.remit.store.transfers import TransferStore

SCREENING = "screening"


def reasons_of(decision: Decision) -> tuple[Reason, ...]:
    out = []
    for r in decision.reasons:
        match = r.match
        out.append(Reason(r.code.value, r.message, r.party.value if r.party else None,
                          match.reference_number if match else None, match.matched_name if match else None,
                          match.score if match else None))
    return tuple(out)


class Screening:
    def __init__(self, policy: CompliancePolicy, sanctions: SanctionsIndex, store: TransferStore) -> None:
        self.policy = policy
        self.sanctions = sanctions
        self.store = store

    def decide(self, *, sending_fsp: str, transfer_id: str, sender_id: str, sender_name: str, receiver_name: str,
               amount_minor: int, currency_code: str, now_ms: int) -> DecisionRecord:
        history = self.store.history(sending_fsp, sender_id, now_ms - self.policy.daily_window_ms,
                                     self.policy.history_records_max)
        decision = decide(sender_name=sender_name, receiver_name=receiver_name,
                          amount=Amount(amount_minor, currency(currency_code)), history=history, now_ms=now_ms,
                          policy=self.policy, sanctions=self.sanctions)
        return DecisionRecord(transfer_id, sending_fsp, now_ms, decision.outcome.value, SCREENING,
                              reasons_of(decision))
