"""Property tests: the adversary's shapes, drawn by Hypothesis, never break the ledger's properties.

Hypothesis draws the blocks (which honest and hostile shapes, how far the clock moves, whether the node
restarts from its rows) and the seed of the traffic that fills them in. After every block:
- money is conserved per currency (posted balances sum to zero, pending debits equal pending credits);
- no account is beyond its limit or past 2^63 - 1;
- the state agrees with the ground-truth model of what the verdicts said (no payment applied twice or
  applied while refused), and no hostile shape committed.
At the end:
- every pending transfer was resolved at most once, counting every resolution event (post, void, expiry)
  per pending id across all blocks;
- no transaction id was committed twice;
- replaying the chain from genesis gives the same state hash and the same state;
- resubmitting every committed transaction changes nothing: in a block of the same time not one row changes,
  and in a later block only what expiry and pruning do, worked out independently beforehand.
Each check is shown to fire on a wrong state in test_property_checks.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzira.adversary.traffic import SHAPES
from inzira.ledger.records import Policy

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

SHAPE_NAMES = sorted(SHAPES)
WEEK_MS = Policy().resolved_kept_ms

advances = st.one_of(
    st.integers(0, 3_000),  # the next block
    st.integers(30_000, 200_000),  # a pause: pending transfers and quotes expire
    st.just(WEEK_MS + 1_000),  # a quiet week: resolved transfers pruned, references forgotten
)
blocks = st.tuples(
    st.lists(st.sampled_from(SHAPE_NAMES), max_size=10),
    advances,
    st.sampled_from((False, False, False, True)),  # restart from the state's rows after the block
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), plan=st.lists(blocks, min_size=1, max_size=12), later_ms=advances)
def test_hostile_workloads_keep_every_property(seed, plan, later_ms):
    run = ChainRun(seed)
    for shapes, advance_ms, restart in plan:
        run.step(shapes, advance_ms)
        if restart:
            run.restart_from_rows()
        accounts = list(run.state.accounts.values())
        check_conservation(accounts)
        check_limits(accounts)
        run.state.check_invariants()
        assert run.model.compare(run.state) == 0, run.model.faults.examples
        assert run.unexpected == []
    check_resolved_at_most_once(run.resolutions, run.created)
    check_no_duplicates(run.committed, run.model, run.state)
    check_replay_equal(run)
    everything = list(run.committed_raws)
    check_resubmission_changes_nothing(run, everything)
    run.restart_from_rows()
    check_resubmission_after_time(run, everything, later_ms)
    check_resolved_at_most_once(run.resolutions, run.created)
    check_no_duplicates(run.committed, run.model, run.state)
    check_replay_equal(run)
    assert run.model.faults.rule_violations == 0 and run.model.faults.expiry_mismatches == 0
