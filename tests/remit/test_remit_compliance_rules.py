import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inzira.money import AMOUNT_MINOR_MAX, CURRENCIES, Amount, currency
from inzira.remit.compliance.policy import DAY_MS, MINUTE_MS, CompliancePolicy, CurrencyLimits
from inzira.remit.compliance.rules import (
    Decision,
    Outcome,
    Party,
    PastTransfer,
    ReasonCode,
    decide,
)
from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex, ScreeningThresholds

NOW_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
POLICY = CompliancePolicy()
CLEAN_SENDER = "Claire Dubois"
CLEAN_RECEIVER = "Jean Uwimana"


@pytest.fixture(scope="module")
def sanctions() -> SanctionsIndex:
    return SanctionsIndex(load_sample_sanctions())


def eur(text_minor: int) -> Amount:
    return Amount(text_minor, currency("EUR"))


def run(sanctions, *, sender=CLEAN_SENDER, receiver=CLEAN_RECEIVER, amount=None, history=(), now_ms=NOW_MS,
        policy=POLICY) -> Decision:
    return decide(
        sender_name=sender,
        receiver_name=receiver,
        amount=amount if amount is not None else eur(200_00),
        history=history,
        now_ms=now_ms,
        policy=policy,
        sanctions=sanctions,
    )


def test_clean_transfer_passes(sanctions):
    decision = run(sanctions)
    assert decision == Decision(Outcome.PASS, ())


def test_decision_is_immutable(sanctions):
    decision = run(sanctions)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.outcome = Outcome.REJECT  # type: ignore[misc]


def test_sanctions_hit_on_receiver_holds_with_the_list_reference(sanctions):
    decision = run(sanctions, receiver="Mohamed Yousef Karzanithi")
    assert decision.outcome is Outcome.HOLD
    (reason,) = decision.reasons
    assert reason.code is ReasonCode.SANCTIONS_HIT
    assert reason.party is Party.RECEIVER
    assert reason.match is not None
    assert reason.match.reference_number == "ZZi.001"
    assert reason.match.data_id == "9100001"
    assert reason.match.listed_name == "MUHAMMAD YUSUF QARZANITHI"
    assert reason.match.matched_name == "Mohammed Youssef Karzanithi"
    assert reason.match.score == 100
    assert "ZZi.001" in reason.message


def test_sanctions_hit_on_sender_holds(sanctions):
    decision = run(sanctions, sender="Primerov Sergei")
    assert decision.outcome is Outcome.HOLD
    assert [(r.code, r.party) for r in decision.reasons] == [(ReasonCode.SANCTIONS_HIT, Party.SENDER)]


# The sample list's ZZi.005 inside a much longer name: a possible match, not a hit.
LONG_NAME = "Ahmed Omar Abdelrahman Wahmi Hassan Kagabo"


def test_possible_match_holds(sanctions):
    decision = run(sanctions, receiver=LONG_NAME)
    assert decision.outcome is Outcome.HOLD
    assert decision.codes == (ReasonCode.SANCTIONS_POSSIBLE,)
    assert decision.reasons[0].match.reference_number == "ZZi.005"


def test_policy_thresholds_reach_screening(sanctions):
    strict = CompliancePolicy(thresholds=ScreeningThresholds(hit=99, possible=95))
    assert run(sanctions, receiver=LONG_NAME, policy=strict).outcome is Outcome.PASS
    loose = CompliancePolicy(thresholds=ScreeningThresholds(hit=80, possible=70))
    assert run(sanctions, receiver=LONG_NAME, policy=loose).codes == (ReasonCode.SANCTIONS_HIT,)


def test_per_transfer_limit(sanctions):
    assert run(sanctions, amount=eur(1_000_00)).outcome is Outcome.PASS  # the limit itself is allowed
    decision = run(sanctions, amount=eur(1_000_01))
    assert decision.outcome is Outcome.REJECT
    assert decision.codes == (ReasonCode.OVER_TRANSFER_LIMIT,)
    assert "1,000.01 EUR" in decision.reasons[0].message and "1,000.00 EUR" in decision.reasons[0].message


def test_limits_are_per_currency(sanctions):
    rwf = currency("RWF")
    assert run(sanctions, amount=Amount(1_500_000, rwf)).outcome is Outcome.PASS
    assert run(sanctions, amount=Amount(1_500_001, rwf)).codes == (ReasonCode.OVER_TRANSFER_LIMIT,)
    custom = CompliancePolicy(limits={"EUR": CurrencyLimits(50_00, 100_00)})
    assert run(sanctions, amount=eur(60_00), policy=custom).codes == (ReasonCode.OVER_TRANSFER_LIMIT,)
    assert run(sanctions, amount=Amount(10_00, currency("USD")), policy=custom).codes == (
        ReasonCode.CURRENCY_NOT_ALLOWED,
    )


def test_daily_limit_over_a_rolling_day(sanctions):
    history = [PastTransfer(NOW_MS - 3_600_000, 1_000_00, "EUR"), PastTransfer(NOW_MS - 7_200_000, 1_000_00, "EUR")]
    assert run(sanctions, amount=eur(1_000_00), history=history).outcome is Outcome.PASS  # exactly 3,000.00
    decision = run(sanctions, amount=eur(1_000_01), history=history)
    assert decision.codes == (ReasonCode.OVER_TRANSFER_LIMIT, ReasonCode.OVER_DAILY_LIMIT)
    decision = run(sanctions, amount=eur(500_00), history=[*history, (NOW_MS - 60_000, 600_00, "EUR")])
    assert decision.outcome is Outcome.REJECT
    assert decision.codes == (ReasonCode.OVER_DAILY_LIMIT,)
    assert "2,600.00 EUR already sent in the last 24 hours" in decision.reasons[0].message


def test_daily_window_edges(sanctions):
    big = 2_900_00
    at_edge = [(NOW_MS - DAY_MS, big, "EUR")]  # exactly a day ago: out of the window
    assert run(sanctions, amount=eur(200_00), history=at_edge).outcome is Outcome.PASS
    inside = [(NOW_MS - DAY_MS + 1, big, "EUR")]  # a millisecond later: in
    assert run(sanctions, amount=eur(200_00), history=inside).codes == (ReasonCode.OVER_DAILY_LIMIT,)
    future = [(NOW_MS + 5_000, big, "EUR")]  # a peer's clock ahead of ours still counts
    assert run(sanctions, amount=eur(200_00), history=future).codes == (ReasonCode.OVER_DAILY_LIMIT,)


def test_daily_limit_counts_only_the_same_currency(sanctions):
    history = [(NOW_MS - 1000, 2_900_00, "USD"), (NOW_MS - 2000, 1_000_000, "RWF")]
    assert run(sanctions, amount=eur(1_000_00), history=history).outcome is Outcome.PASS


def test_velocity_holds(sanctions):
    recent = [(NOW_MS - i * MINUTE_MS, 10_00, "EUR") for i in range(1, 5)]  # 4 in the last 10 minutes
    assert run(sanctions, amount=eur(10_00), history=recent).outcome is Outcome.PASS  # the 5th is allowed
    five = [*recent, (NOW_MS - 9 * MINUTE_MS, 10_00, "USD")]  # any currency counts
    decision = run(sanctions, amount=eur(10_00), history=five)
    assert decision.outcome is Outcome.HOLD
    assert decision.codes == (ReasonCode.VELOCITY,)
    assert "6" in decision.reasons[0].message and "10 minutes" in decision.reasons[0].message


def test_velocity_window_edges(sanctions):
    four = [(NOW_MS - i * MINUTE_MS, 10_00, "EUR") for i in range(1, 5)]
    edge = [*four, (NOW_MS - 10 * MINUTE_MS, 10_00, "EUR")]  # exactly 10 minutes ago: out
    assert run(sanctions, history=edge).outcome is Outcome.PASS
    inside = [*four, (NOW_MS - 10 * MINUTE_MS + 1, 10_00, "EUR")]
    assert run(sanctions, history=inside).codes == (ReasonCode.VELOCITY,)
    policy = CompliancePolicy(velocity_transfers_max=2, velocity_window_ms=30 * 1000)
    two = [(NOW_MS - 1000, 1, "EUR"), (NOW_MS - 29_999, 1, "EUR")]
    decision = run(sanctions, history=two, policy=policy)
    assert decision.codes == (ReasonCode.VELOCITY,)
    assert "30 seconds" in decision.reasons[0].message


def test_every_rule_is_reported_and_reject_wins(sanctions):
    history = [(NOW_MS - i * 1000, 500_00, "EUR") for i in range(1, 6)]
    decision = run(sanctions, sender="Sergey Primerov", receiver=LONG_NAME, amount=eur(1_500_00), history=history)
    assert decision.outcome is Outcome.REJECT
    assert decision.codes == (
        ReasonCode.OVER_TRANSFER_LIMIT,
        ReasonCode.OVER_DAILY_LIMIT,
        ReasonCode.VELOCITY,
        ReasonCode.SANCTIONS_HIT,
        ReasonCode.SANCTIONS_POSSIBLE,
    )
    assert [r.party for r in decision.reasons[3:]] == [Party.SENDER, Party.RECEIVER]


@pytest.mark.parametrize("minor", [0, -1, -10**30, AMOUNT_MINOR_MAX + 1])
def test_invalid_amounts_are_rejected(sanctions, minor):
    decision = run(sanctions, amount=eur(minor))
    assert decision.outcome is Outcome.REJECT
    assert decision.codes == (ReasonCode.INVALID_AMOUNT,)


def test_currency_without_limits_is_rejected(sanctions):
    decision = run(sanctions, amount=Amount(10_000, currency("JPY")))
    assert decision.codes == (ReasonCode.CURRENCY_NOT_ALLOWED,)
    assert decision.outcome is Outcome.REJECT


@pytest.mark.parametrize("name", ["", "   ", "?!", "x" * 301, "a " * 13])
def test_unscreenable_names_are_rejected(sanctions, name):
    decision = run(sanctions, receiver=name)
    assert decision.outcome is Outcome.REJECT
    assert [(r.code, r.party) for r in decision.reasons] == [(ReasonCode.INVALID_NAME, Party.RECEIVER)]


def test_too_much_history_is_a_callers_mistake(sanctions):
    policy = CompliancePolicy(history_records_max=3)
    with pytest.raises(ValueError):
        run(sanctions, history=[(NOW_MS - 100 * DAY_MS, 1, "EUR")] * 4, policy=policy)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limits": {"eur": CurrencyLimits(1, 2)}},
        {"limits": {"XYZ": CurrencyLimits(1, 2)}},
        {"daily_window_ms": 0},
        {"velocity_window_ms": -1},
        {"velocity_transfers_max": 0},
        {"history_records_max": 0},
    ],
)
def test_policy_validation(kwargs):
    with pytest.raises(ValueError):
        CompliancePolicy(**kwargs)


@pytest.mark.parametrize(("per_transfer", "daily"), [(0, 10), (11, 10), (1, AMOUNT_MINOR_MAX + 1)])
def test_limits_validation(per_transfer, daily):
    with pytest.raises(ValueError):
        CurrencyLimits(per_transfer, daily)


def test_policy_keeps_its_own_copy_of_the_limits():
    limits = {"EUR": CurrencyLimits(1_00, 2_00)}
    policy = CompliancePolicy(limits=limits)
    limits["EUR"] = CurrencyLimits(9_00, 9_00)
    assert policy.limits["EUR"] == CurrencyLimits(1_00, 2_00)
    with pytest.raises(TypeError):
        policy.limits["USD"] = CurrencyLimits(1, 1)  # type: ignore[index]


histories = st.lists(
    st.tuples(
        st.integers(NOW_MS - 2 * DAY_MS, NOW_MS + DAY_MS),
        st.integers(-(10**12), 10**12),
        st.sampled_from(["EUR", "USD", "RWF", "CNY"]),
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(
    sender=st.text(max_size=80),
    receiver=st.text(max_size=80),
    minor=st.integers(-(10**20), 10**20),
    code=st.sampled_from(sorted(CURRENCIES)),
    history=histories,
)
def test_decision_is_deterministic_and_never_raises(sanctions, sender, receiver, minor, code, history):
    kwargs = dict(sender=sender, receiver=receiver, amount=Amount(minor, currency(code)), history=history)
    decision = run(sanctions, **kwargs)
    assert run(sanctions, **kwargs) == decision
    severities = {ReasonCode.VELOCITY, ReasonCode.SANCTIONS_HIT, ReasonCode.SANCTIONS_POSSIBLE}
    if not decision.reasons:
        assert decision.outcome is Outcome.PASS
    elif all(code in severities for code in decision.codes):
        assert decision.outcome is Outcome.HOLD
    else:
        assert decision.outcome is Outcome.REJECT
    assert all(reason.message for reason in decision.reasons)
