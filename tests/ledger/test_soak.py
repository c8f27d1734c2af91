"""The soak (``inzira soak ledger``) on a bounded run, and its counters seen to fire on a broken ledger.

The bounded run is the CI's: 20,000 transactions of hostile and honest traffic through the real state machine
and real signature checks, the state rebuilt from its rows every few blocks, fast-clock and oversize blocks
offered, the chain replayed at the end. Each sabotage test breaks the ledger the way a bug would (with
monkeypatch) and checks that the soak's counters say so.
"""

from __future__ import annotations

import io
import json

import msgspec
from typer.testing import CliRunner

from inzira.adversary.traffic import SHAPES
from inzira.cli.main import app
from inzira.crypto.verifier_pool import Verifier
from inzira.ledger import apply, chain, transfers
from inzira.ledger.state import State
from inzira.ledger.tx import VoidPending
from inzira.soak import ledger as soak_ledger


def _run(transactions: int, seed: int, **kwargs) -> tuple[dict, str]:
    err = io.StringIO()
    return soak_ledger.run(transactions, seed, err=err, **kwargs), err.getvalue()


def test_a_bounded_soak_finds_no_defect():
    result, err = _run(20_000, 11, check_every=5, snapshot_every=10)
    assert result["transactions"] == 20_000
    assert result["exceptions"] == 0, err
    assert result["invariant_violations"] == 0, err
    assert result["replay_equal"] is True, err
    assert result["duplicates_applied"] == 0, result["model_examples"]
    assert result["model_mismatches"] == 0 and result["rule_violations"] == 0, result["model_examples"]
    assert result["resolved_twice"] == 0 and result["expiry_mismatches"] == 0, result["model_examples"]
    assert result["unexpected_verdicts"] == 0 and result["hostile_committed"] == 0, result["examples"]
    # What the run covered: restarts, the chain-level attacks, replays after a restart, every shape.
    assert result["snapshots"] >= 3
    assert result["fast_clock_refused"] == result["fast_clock_blocks"] == result["snapshots"]
    assert result["oversize_blocks_refused"] == result["oversize_batches_refused"] == result["snapshots"]
    assert set(result["shapes"]["replay_after_snapshot"]) <= {"DUPLICATE", "EXPIRED"}
    assert set(SHAPES) <= set(result["shapes"])


def test_the_command_prints_one_json_object():
    outcome = CliRunner().invoke(app, ["soak", "ledger", "--transactions", "1500", "--seed", "3", "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout)
    for key in ("transactions", "seed", "exceptions", "invariant_violations", "replay_equal", "duplicates_applied",
                "tx_per_s", "verdicts", "shapes"):
        assert key in result
    assert result["seed"] == 3 and result["transactions"] == 1_500


def test_the_same_seed_gives_the_same_chain():
    first, _ = _run(3_000, 5)
    second, _ = _run(3_000, 5)
    assert first["verdicts"] == second["verdicts"] and first["chain_bytes"] == second["chain_bytes"]


def test_a_ledger_that_forgets_spent_ids_is_caught(monkeypatch):
    real_prune = State.prune

    def forgetful(state, timestamp_ms):
        real_prune(state, timestamp_ms)
        state.refs.clear()

    monkeypatch.setattr(State, "prune", forgetful)
    result, _ = _run(3_000, 1)
    assert result["duplicates_applied"] > 0
    assert result["hostile_committed"] > 0  # replays committed
    assert result["shapes"]["replay"].get("OK", 0) > 0


def test_a_snapshot_that_loses_the_spent_ids_is_caught(monkeypatch):
    real = State.from_rows.__func__

    def lossy(cls, chain_id, rows, height, state_hash, timestamp_ms):
        return real(cls, chain_id, [(k, v) for k, v in rows if not k.startswith(b"R")], height, state_hash,
                    timestamp_ms)

    monkeypatch.setattr(State, "from_rows", classmethod(lossy))
    result, _ = _run(4_000, 2, snapshot_every=2)
    assert result["shapes"]["replay_after_snapshot"].get("OK", 0) > 0
    assert result["duplicates_applied"] > 0
    assert result["replay_equal"] is False  # the rebuilt state no longer matches the chain's history


def test_a_hashlock_voided_by_anyone_is_caught(monkeypatch):
    def void_for_anyone(state, op, ctx):
        pending = state.pendings.get(op.pending_id)
        if pending is not None and pending.condition and pending.status == 0:
            return transfers._resolve(state, pending, 2, ctx.tx_id, ctx.timestamp_ms)
        return transfers.apply_void(state, op, ctx)

    monkeypatch.setitem(apply._HANDLERS, VoidPending, void_for_anyone)
    result, _ = _run(4_000, 3)
    assert result["rule_violations"] > 0
    assert result["hostile_committed"] > 0


def test_a_follower_without_the_block_time_rule_is_caught(monkeypatch):
    monkeypatch.setattr(chain, "check_block_time", lambda *args: "")
    result, _ = _run(3_000, 4, snapshot_every=3)
    assert result["fast_clock_blocks"] > 0
    assert result["fast_clock_refused"] < result["fast_clock_blocks"]


def test_an_exception_out_of_the_state_machine_is_counted_and_the_run_goes_on(monkeypatch):
    real = apply._HANDLERS[VoidPending]

    def raises_now_and_then(state, op, ctx):
        if ctx.tx_id[0] < 8:  # about one void in 32
            raise KeyError("a bug")
        return real(state, op, ctx)

    monkeypatch.setitem(apply._HANDLERS, VoidPending, raises_now_and_then)
    result, err = _run(6_000, 5)
    assert result["exceptions"] > 0 and "KeyError: 'a bug'" in err
    assert result["recoveries"] == result["exceptions"]
    assert result["stopped_early"] == (result["exceptions"] >= 3)  # it went on after the first two
    assert result["replay_equal"] is True  # the chain kept is the one without the blocks that raised


def test_a_state_that_drifts_from_its_chain_is_caught():
    verifier = Verifier()
    try:
        soak = soak_ledger.Soak(2_000, 6, verifier, io.StringIO(), None, 50, 100)
        soak.build()
        assert soak.replay() == (True, "")
        account = next(iter(soak.state.accounts.values()))
        soak.state.accounts[account.id] = msgspec.structs.replace(account, debit_cap_minor=1)
        assert soak.replay() == (False, "state differs (same history hash)")
    finally:
        verifier.close()
        soak.chain.close()
