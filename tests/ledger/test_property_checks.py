"""Every check of the property tests fires when the ledger goes wrong: each test here breaks the state (or
the state machine, with monkeypatch) the way a bug would, and sees the check fail.

A check that cannot fail proves nothing; these keep the property tests honest.
"""

from __future__ import annotations

import msgspec
import pytest

from inzira.adversary.cast import account_of
from inzira.ledger import apply, transfers
from inzira.ledger.apply import prepare
from inzira.ledger.codes import Code
from inzira.ledger.context import OK, fail
from inzira.ledger.records import PENDING, POSTED, Leg
from inzira.ledger.tx import PostPending, Transfer

from .chain_run import (
    ChainRun,
    check_conservation,
    check_limits,
    check_no_duplicates,
    check_replay_equal,
    check_resolved_at_most_once,
    check_resubmission_after_time,
    check_resubmission_changes_nothing,
)

PAYER, PAYEE = account_of("eurosend", "EUR"), account_of("mobimo", "EUR")


def _busy_run() -> ChainRun:
    run = ChainRun(seed=7)
    for _ in range(3):
        run.step(["transfer", "pending", "fx", "replay", "wild", "post", "void"], 1_000)
    return run


def _pending(run: ChainRun, expires_in_ms: int = 60_000) -> bytes:
    op = Transfer((Leg(PAYER, PAYEE, 5_00, "EUR"),), expires_at_ms=run.traffic.now_ms + 1_000 + expires_in_ms)
    assert run.submit("eurosend", op) == Code.OK
    pending_id = prepare(run.blocks[-1].block.txs[0]).tx_id
    assert run.state.pendings[pending_id].status == PENDING
    return pending_id


def test_conservation_fires_on_money_from_nowhere():
    run = _busy_run()
    accounts = list(run.state.accounts.values())
    check_conservation(accounts)
    accounts[-1] = msgspec.structs.replace(accounts[-1], credits_posted=accounts[-1].credits_posted + 1)
    with pytest.raises(AssertionError, match="do not sum to zero"):
        check_conservation(accounts)
    accounts = list(run.state.accounts.values())
    accounts[-1] = msgspec.structs.replace(accounts[-1], credits_pending=accounts[-1].credits_pending + 1)
    with pytest.raises(AssertionError, match="pending debits and credits differ"):
        check_conservation(accounts)


def test_limits_fire_on_an_overdrawn_account_and_on_2_63():
    run = _busy_run()
    account = run.state.accounts[PAYER]
    check_limits([account])
    with pytest.raises(AssertionError, match="over its limit"):
        check_limits([msgspec.structs.replace(account, debits_posted=account.credits_posted + 1)])
    with pytest.raises(AssertionError, match="out of range"):
        check_limits([msgspec.structs.replace(account, credits_posted=2**63)])


def test_resolved_at_most_once_counts_events_not_status_changes(monkeypatch):
    """A ledger that lets a posted transfer be posted again (no money moves, its status stays POSTED and never
    goes back to PENDING): conservation and a check of status changes both miss it, the events per pending
    id across blocks do not."""
    run = ChainRun(seed=1)
    pending_id = _pending(run)
    assert run.submit("eurosend", PostPending(pending_id)) == Code.OK
    check_resolved_at_most_once(run.resolutions, run.created)

    def posts_again(state, op, ctx):
        pending = state.pendings.get(op.pending_id)
        if pending is not None and pending.status == POSTED:
            state.put_pending(msgspec.structs.replace(pending, resolved_at_ms=ctx.timestamp_ms,
                                                      resolved_by_tx=ctx.tx_id))
            return OK
        return transfers.apply_post(state, op, ctx)

    monkeypatch.setitem(apply._HANDLERS, PostPending, posts_again)
    assert run.submit("eurosend", PostPending(pending_id)) == Code.OK
    check_conservation(run.state.accounts.values())
    with pytest.raises(AssertionError, match="resolved more than once"):
        check_resolved_at_most_once(run.resolutions, run.created)
    assert run.model.faults.resolved_twice == 1


def test_replay_equal_fires_when_the_live_state_drifts():
    run = _busy_run()
    check_replay_equal(run)
    account = run.state.accounts[PAYER]
    run.state.accounts[PAYER] = msgspec.structs.replace(account, debit_cap_minor=account.debit_cap_minor + 1)
    with pytest.raises(AssertionError, match="another state"):
        check_replay_equal(run)


def test_resubmission_and_duplicate_checks_fire_on_a_ledger_that_forgets_its_references():
    run = _busy_run()
    raws = list(run.committed_raws)
    run.state.refs.clear()  # the bug: the spent ids are forgotten
    with pytest.raises(AssertionError, match="a resubmission"):
        check_resubmission_changes_nothing(run, raws)
    with pytest.raises(AssertionError, match="committed twice"):
        check_no_duplicates(run.committed, run.model, run.state)
    assert run.model.faults.duplicates_applied > 0


def test_the_model_sees_a_payment_applied_while_refused(monkeypatch):
    """A handler that moves the money and then answers with a refusal: no id is committed twice, but the
    balances differ from what the verdicts say."""
    run = ChainRun(seed=2)
    real = transfers.apply_transfer

    def moves_then_refuses(state, op, ctx):
        real(state, op, ctx)
        return fail(Code.INSUFFICIENT_LIQUIDITY)

    monkeypatch.setitem(apply._HANDLERS, Transfer, moves_then_refuses)
    run.submit("eurosend", Transfer((Leg(PAYER, PAYEE, 1_00, "EUR"),)))
    with pytest.raises(AssertionError):
        check_no_duplicates(run.committed, run.model, run.state)


def test_resubmission_after_time_fires_when_expiry_does_something_else(monkeypatch):
    run = ChainRun(seed=3)
    _pending(run, expires_in_ms=5_000)
    raws = list(run.committed_raws)
    monkeypatch.setattr(transfers, "expire_due", lambda state, timestamp_ms: [])
    with pytest.raises(AssertionError, match="expiry"):
        check_resubmission_after_time(run, raws, 60_000)


def test_a_quoted_hold_past_its_quote_is_caught_by_the_shape_and_the_model():
    """A ledger that forgot the quote's grace (as before quote_hold_after_max_ms): the hostile shape commits,
    and the model's independent rule names the hold."""
    run = ChainRun(seed=5)
    run.state.policy = msgspec.structs.replace(run.state.policy, quote_hold_after_max_ms=24 * 3600 * 1000)
    for _ in range(5):
        run.step(["quoted_hold"] * 4, 1_000)
    assert "quoted_hold: OK" in run.unexpected
    assert run.model.faults.rule_violations > 0
    assert "a quoted hold open past its earliest quote's grace" in " ".join(run.model.faults.examples)


def test_honest_quoted_holds_keep_within_a_short_grace():
    """The honest remittance shape clamps its hold to the genesis grace, however short: none is refused for it."""
    run = ChainRun(seed=6)
    short = msgspec.structs.replace(run.state.policy, quote_hold_after_max_ms=1_000)
    run.state.policy = run.traffic.policy = short
    run.model.members.quote_hold_after_max_ms = 1_000
    verdicts = []
    for _ in range(5):
        built = run.step(["fx"] * 30, 1_000)
        for raw, result in zip(built.block.txs, built.results):
            op = prepare(raw).body.op
            if op.quotes and op.expires_at_ms:
                verdicts.append(result.code)
    assert Code.OK in verdicts and Code.VALIDATION not in verdicts
    assert run.unexpected == [] and run.model.faults.rule_violations == 0
