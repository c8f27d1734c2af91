"""The compliance decision on one transfer, taken at the sending FSP before any money moves.

Pure: everything it needs is passed in (the names, the amount, the sender's recent transfers, the time,
the policy and the indexed sanctions list), so the same inputs always give the same decision, and the
decision can be recorded and replayed. Every rule is checked, so the record shows all that applies:

| code                 | when                                                             | outcome |
| -------------------- | ---------------------------------------------------------------- | ------- |
| invalid_name         | a sender or receiver name that cannot be screened                | REJECT  |
| invalid_amount       | an amount of zero or less, or beyond what an amount can hold     | REJECT  |
| currency_not_allowed | a currency the policy sets no limits for                         | REJECT  |
| over_transfer_limit  | the amount is above the per-transfer limit of its currency       | REJECT  |
| over_daily_limit     | with the sender's transfers in that currency over the last 24 h, | REJECT  |
|                      | the amount takes the total above the daily limit                 |         |
| velocity             | the sender already made `velocity_transfers_max` transfers       | HOLD    |
|                      | within the velocity window (any currency)                        |         |
| sanctions_hit        | a name matches a listed entry at or above the hit threshold      | HOLD    |
| sanctions_possible   | a name matches at or above the possible threshold only           | HOLD    |
| sanctions_list_stale | the sanctions list is older than the hold age (see `freshness`)  | HOLD    |

The outcome is the most severe of the reasons: REJECT over HOLD over PASS. A sanctions hit holds the
transfer for a compliance officer rather than rejecting it: fuzzy name matches are often namesakes, and
an officer, who can see the dates of birth and nationalities, decides. Limits are a plain rule and reject.

Windows are rolling and end at `now_ms`: a past transfer counts when `now_ms - window_ms < timestamp_ms`,
so one made exactly a window ago no longer counts. Records stamped after `now_ms` (clocks of different
machines disagree) count too: a skewed clock must not open a gap in a limit. The daily limit adds up the
sender's transfers in the currency of this one only; limits are per currency.

A party's date of birth and nationality, when known, weigh in the name match (`evidence`); each sanctions
reason's message carries the match's explanation, in the words the officer reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple, Sequence

from inzira.money import AMOUNT_MINOR_MAX, Amount, format_minor
from inzira.remit.compliance.freshness import ListState, ListStatus
from inzira.remit.compliance.names import query_name_problem
from inzira.remit.compliance.policy import CompliancePolicy
from inzira.remit.compliance.screening import MatchStrength, SanctionsIndex


class Outcome(StrEnum):
    PASS = "pass"
    HOLD = "hold"
    REJECT = "reject"


class ReasonCode(StrEnum):
    INVALID_NAME = "invalid_name"
    INVALID_AMOUNT = "invalid_amount"
    CURRENCY_NOT_ALLOWED = "currency_not_allowed"
    OVER_TRANSFER_LIMIT = "over_transfer_limit"
    OVER_DAILY_LIMIT = "over_daily_limit"
    VELOCITY = "velocity"
    SANCTIONS_HIT = "sanctions_hit"
    SANCTIONS_POSSIBLE = "sanctions_possible"
    SANCTIONS_LIST_STALE = "sanctions_list_stale"


_OUTCOME_OF: dict[ReasonCode, Outcome] = {
    ReasonCode.INVALID_NAME: Outcome.REJECT,
    ReasonCode.INVALID_AMOUNT: Outcome.REJECT,
    ReasonCode.CURRENCY_NOT_ALLOWED: Outcome.REJECT,
    ReasonCode.OVER_TRANSFER_LIMIT: Outcome.REJECT,
    ReasonCode.OVER_DAILY_LIMIT: Outcome.REJECT,
    ReasonCode.VELOCITY: Outcome.HOLD,
    ReasonCode.SANCTIONS_HIT: Outcome.HOLD,
    ReasonCode.SANCTIONS_POSSIBLE: Outcome.HOLD,
    ReasonCode.SANCTIONS_LIST_STALE: Outcome.HOLD,
}
_SEVERITY = (Outcome.PASS, Outcome.HOLD, Outcome.REJECT)


class Party(StrEnum):
    SENDER = "sender"
    RECEIVER = "receiver"  # as the sender typed the name
    ACCOUNT_HOLDER = "account_holder"  # as the receiving FSP reports the wallet's holder at the name check


@dataclass(frozen=True, slots=True)
class PartyFacts:
    """What the sending FSP knows of a party besides the name; empty when it does not know."""

    date_of_birth: str = ""  # "YYYY-MM-DD" or "YYYY"
    nationality: str = ""  # a country name or ISO 3166 code


class PastTransfer(NamedTuple):
    """One of the sender's earlier transfers; a plain (timestamp_ms, amount_minor, currency) tuple works."""

    timestamp_ms: int
    amount_minor: int
    currency: str


@dataclass(frozen=True, slots=True)
class SanctionsMatchRef:
    """The list entry a name matched, enough for the officer to look it up."""

    reference_number: str  # the list's REFERENCE_NUMBER, e.g. "QDi.001"
    data_id: str
    listed_name: str  # the primary name of the entry
    matched_name: str  # the name or alias of the entry that matched
    score: int


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    message: str
    party: Party | None = None  # whose name, for the name rules
    match: SanctionsMatchRef | None = None  # for sanctions reasons


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.reasons)


def decide(
    *,
    sender_name: str,
    receiver_name: str,
    amount: Amount,
    history: Sequence[tuple[int, int, str]],
    now_ms: int,
    policy: CompliancePolicy,
    sanctions: SanctionsIndex,
    sender_facts: PartyFacts = PartyFacts(),
    receiver_facts: PartyFacts = PartyFacts(),
    list_status: ListStatus | None = None,
) -> Decision:
    """Screen both names and check the amount against the sender's limits and velocity; a list past its
    hold age (`list_status`, when the caller checks it) holds the transfer.

    Raises ValueError only for a caller's mistake: more history records than the policy allows.
    """
    if len(history) > policy.history_records_max:
        raise ValueError(f"{len(history)} history records given; at most {policy.history_records_max}")
    reasons = [*_amount_reasons(amount, history, now_ms, policy), *_velocity_reasons(history, now_ms, policy)]
    for party, name, facts in ((Party.SENDER, sender_name, sender_facts),
                               (Party.RECEIVER, receiver_name, receiver_facts)):
        reasons.extend(name_reasons(party, name, policy, sanctions, facts))
    if list_status is not None and list_status.state is ListState.HOLD:
        reasons.append(Reason(ReasonCode.SANCTIONS_LIST_STALE, list_status.message))
    return decision_of(reasons)


def decision_of(reasons: Sequence[Reason]) -> Decision:
    """The most severe outcome of `reasons`: REJECT over HOLD over PASS."""
    outcome = max((_OUTCOME_OF[r.code] for r in reasons), key=_SEVERITY.index, default=Outcome.PASS)
    return Decision(outcome, tuple(reasons))


def _amount_reasons(
    amount: Amount, history: Sequence[tuple[int, int, str]], now_ms: int, policy: CompliancePolicy
) -> list[Reason]:
    code = amount.currency.code
    if not 0 < amount.minor <= AMOUNT_MINOR_MAX:
        return [
            Reason(
                ReasonCode.INVALID_AMOUNT,
                f"an amount is 1 to {AMOUNT_MINOR_MAX} minor units, got {amount.minor} {code} minor units",
            )
        ]
    limits = policy.limits.get(code)
    if limits is None:
        return [Reason(ReasonCode.CURRENCY_NOT_ALLOWED, f"no limits are set for {code}, so it cannot be sent")]
    reasons = []
    if amount.minor > limits.per_transfer_minor:
        reasons.append(
            Reason(
                ReasonCode.OVER_TRANSFER_LIMIT,
                f"{amount} is above the limit of {format_minor(limits.per_transfer_minor, code)} per transfer",
            )
        )
    sent_minor = sum(
        amount_minor
        for timestamp_ms, amount_minor, currency in history
        if currency == code and timestamp_ms > now_ms - policy.daily_window_ms
    )
    if sent_minor + amount.minor > limits.daily_minor:
        reasons.append(
            Reason(
                ReasonCode.OVER_DAILY_LIMIT,
                f"{format_minor(sent_minor, code)} already sent in the last {_duration(policy.daily_window_ms)}; "
                f"{amount} more is above the daily limit of {format_minor(limits.daily_minor, code)}",
            )
        )
    return reasons


def _velocity_reasons(history: Sequence[tuple[int, int, str]], now_ms: int, policy: CompliancePolicy) -> list[Reason]:
    recent = sum(1 for timestamp_ms, _, _ in history if timestamp_ms > now_ms - policy.velocity_window_ms)
    if recent < policy.velocity_transfers_max:
        return []
    return [
        Reason(
            ReasonCode.VELOCITY,
            f"this is the sender's transfer number {recent + 1} within {_duration(policy.velocity_window_ms)}; "
            f"more than {policy.velocity_transfers_max} are held for review",
        )
    ]


def _duration(window_ms: int) -> str:
    for unit_ms, unit in ((3_600_000, "hours"), (60_000, "minutes"), (1_000, "seconds")):
        if window_ms % unit_ms == 0:
            return f"{window_ms // unit_ms} {unit}"
    return f"{window_ms} ms"


def name_reasons(party: Party, name: str, policy: CompliancePolicy, sanctions: SanctionsIndex,
                 facts: PartyFacts = PartyFacts()) -> list[Reason]:
    """The sanctions reasons for one name: none when it matches nobody."""
    problem = query_name_problem(name)
    if problem is not None:
        return [Reason(ReasonCode.INVALID_NAME, f"the {_whose(party)} name cannot be screened: {problem}", party)]
    result = sanctions.screen(name, policy.thresholds, date_of_birth=facts.date_of_birth,
                              nationality=facts.nationality)
    reasons = []
    for match in result.matches:
        entry = match.entry
        ref = SanctionsMatchRef(
            entry.reference_number, entry.data_id, entry.primary_name, match.matched_name.text, match.score
        )
        if match.strength is MatchStrength.HIT:
            code, what = ReasonCode.SANCTIONS_HIT, "matches"
        else:
            code, what = ReasonCode.SANCTIONS_POSSIBLE, "may match"
        message = (
            f"the {_whose(party)} name {what} sanctions list entry {entry.reference_number or entry.data_id} "
            f"({match.matched_name.text!r}, score {match.score}): held for a compliance officer. "
            f"{match.explanation}"
        )
        reasons.append(Reason(code, message, party, ref))
    return reasons


def _whose(party: Party) -> str:
    return {Party.SENDER: "sender's", Party.RECEIVER: "receiver's",
            Party.ACCOUNT_HOLDER: "receiving account holder's"}[party]
