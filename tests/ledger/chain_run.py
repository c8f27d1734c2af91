"""A chain driven by the adversary's shapes, and the checks the property tests make on it.

Each check is a plain function of explicit facts (accounts, resolution events, states before and after), so
that a test can feed it a wrong fact and see it fire (tests/ledger/test_property_checks.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence

import msgspec

from inzira.adversary.cast import Cast
from inzira.adversary.model import Model
from inzira.adversary.traffic import Shot, Traffic
from inzira.demo.members import ORDERER_ID
from inzira.ledger.apply import prepare, verify_prepared
from inzira.ledger.block import BuiltBlock, build_block
from inzira.ledger.chain import verify_chain
from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, PENDING, Account
from inzira.ledger.state import State
from inzira.ledger.tx import Op, PostPending, Transfer, VoidPending
from inzira.money import AMOUNT_MINOR_MAX

from .conftest import verify_all

# A committed transaction sent again is a duplicate, or expired once its deadline passed, or (signed with a key
# since rotated away) no longer authenticated: never anything that changes the state.
RESUBMITTED = frozenset({Code.DUPLICATE, Code.EXPIRED, Code.PERMISSION})


class ChainRun:
    """The demo network under the adversary's traffic, built block by block with real signatures."""

    def __init__(self, seed: int) -> None:
        self.cast = Cast.demo()
        self.genesis = self.cast.genesis
        self.model = Model(self.genesis)
        self.traffic = Traffic(seed, self.cast, self.model)
        self.state = State.from_genesis(self.genesis)
        self.prev_hash = self.genesis.chain_id
        self.blocks: list[BuiltBlock] = []
        self.created: set[bytes] = set()  # pending transfers committed
        self.resolutions: Counter[bytes] = Counter()  # every resolution event per pending id, across blocks
        self.committed: Counter[bytes] = Counter()  # verdicts OK per transaction id
        self.committed_raws: list[bytes] = []
        self.unexpected: list[str] = []  # shots that got a verdict their shape forbids
        for plan in self.traffic.setup():
            self.apply(plan.shots, plan.timestamp_ms)

    def step(self, shapes: Sequence[str], advance_ms: int) -> BuiltBlock:
        self.traffic.begin_block(advance_ms)
        return self.apply(self.traffic.shots_of(shapes), self.traffic.now_ms)

    def submit(self, submitter: str, op: Op, advance_ms: int = 1_000) -> int:
        """One honest-looking transaction in a block of its own; its verdict."""
        self.traffic.begin_block(advance_ms)
        built = self.apply([self.traffic.honest("direct", submitter, op)], self.traffic.now_ms)
        return built.results[0].code

    def resubmit(self, raws: Sequence[bytes], advance_ms: int) -> BuiltBlock:
        self.traffic.begin_block(advance_ms)
        return self.apply([Shot(raw, "resubmission") for raw in raws], self.traffic.now_ms)

    def restart_from_rows(self) -> None:
        """As a node restarting from its snapshot: the state rebuilt from its own rows."""
        s = self.state
        self.state = State.from_rows(s.chain_id, s.rows(), s.height, s.state_hash, s.timestamp_ms)

    def apply(self, shots: Sequence[Shot], timestamp_ms: int) -> BuiltBlock:
        items = [prepare(s.raw) for s in shots]
        verify_prepared(items, verify_all)
        built = build_block(self.state, self.prev_hash, timestamp_ms, items, ORDERER_ID, self.cast.orderer_key)
        self.prev_hash = built.hash
        self.blocks.append(built)
        for pending_id in built.expired:
            self.resolutions[pending_id] += 1
        for p, result in zip(items, built.results):
            if result.code != Code.OK:
                continue
            self.committed[p.tx_id] += 1
            self.committed_raws.append(p.raw)
            op = p.body.op  # type: ignore[union-attr]
            if type(op) is Transfer and op.expires_at_ms:
                self.created.add(p.tx_id)
            elif type(op) is PostPending or type(op) is VoidPending:
                self.resolutions[op.pending_id] += 1
        codes = [r.code for r in built.results]
        for shot, code in zip(shots, codes):
            if shot.unexpected(code):
                self.unexpected.append(f"{shot.shape}: {Code(code).name}")
        self.model.block(timestamp_ms, items, built.results, built.expired)
        self.traffic.observe(shots, codes)
        return built


# --- the checks ---


def check_conservation(accounts: Iterable[Account]) -> None:
    """Per currency: posted balances sum to zero, pending debits equal pending credits."""
    posted: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    for a in accounts:
        posted[a.currency] += a.credits_posted - a.debits_posted
        pending[a.currency] += a.debits_pending - a.credits_pending
    assert all(v == 0 for v in posted.values()), f"posted balances do not sum to zero: {dict(posted)}"
    assert all(v == 0 for v in pending.values()), f"pending debits and credits differ: {dict(pending)}"


def check_limits(accounts: Iterable[Account]) -> None:
    for a in accounts:
        fields = (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.debit_cap_minor)
        assert all(0 <= f <= AMOUNT_MINOR_MAX for f in fields), f"{a.id}: a field out of range"
        if not a.issuance:
            assert a.debits_posted + a.debits_pending <= a.credits_posted + a.debit_cap_minor, f"{a.id}: over its limit"


def check_resolved_at_most_once(resolutions: Counter[bytes], created: set[bytes]) -> None:
    """Every resolution event (post, void, expiry) counted per pending id over the whole chain."""
    twice = {pid.hex()[:16]: n for pid, n in resolutions.items() if n > 1}
    assert not twice, f"pending transfers resolved more than once: {twice}"
    unknown = [pid.hex()[:16] for pid in resolutions if pid not in created]
    assert not unknown, f"resolutions of pending transfers never created: {unknown}"


def check_no_duplicates(committed: Counter[bytes], model: Model, state: State) -> None:
    applied_twice = [tx_id.hex()[:16] for tx_id, n in committed.items() if n > 1]
    assert not applied_twice, f"transactions committed twice: {applied_twice}"
    assert model.compare(state) == 0, model.faults.examples
    assert model.faults.duplicates_applied == 0, model.faults.examples


def check_replay_equal(run: ChainRun) -> None:
    encoded = [(b.header.height, b.encoded, b.header.timestamp_ms) for b in run.blocks]
    replayed = verify_chain(run.genesis, encoded, verify_all)
    assert replayed.state_hash == run.state.state_hash, "replay reaches another state hash"
    assert replayed.digest() == run.state.digest(), "replay reaches another state"


def check_resubmission_changes_nothing(run: ChainRun, raws: Sequence[bytes]) -> None:
    """Resubmitted in a block of the same time as the last, so that nothing expires: not one row changes."""
    before = run.state.digest()
    built = run.resubmit(raws, 0)
    codes = {r.code for r in built.results}
    assert codes <= RESUBMITTED, f"a resubmission got {sorted(Code(c).name for c in codes - RESUBMITTED)}"
    assert built.write_set == [] and run.state.digest() == before, "a resubmission changed the state"


def expected_after_time(state: State, timestamp_ms: int) -> tuple[dict, dict, dict]:
    """What moving the clock to ``timestamp_ms`` alone does, worked out from the rules, not by the ledger:
    (balances, pending transfers, live references)."""
    kept_ms = state.policy.resolved_kept_ms
    balances = {k: [a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending]
                for k, a in state.accounts.items()}
    pendings = {}
    for pid, p in state.pendings.items():
        if p.status == PENDING and p.expires_at_ms <= timestamp_ms:
            for leg in p.legs:
                balances[leg.debit][2] -= leg.amount_minor
                balances[leg.credit][3] -= leg.amount_minor
            p = msgspec.structs.replace(p, status=EXPIRED, resolved_at_ms=timestamp_ms, resolved_by_tx=b"")
        elif p.status != PENDING and p.resolved_at_ms + kept_ms <= timestamp_ms:
            continue
        pendings[pid] = p
    refs = {k: v for k, v in state.refs.items() if v.expires_at_ms > timestamp_ms}
    return balances, pendings, refs


def check_resubmission_after_time(run: ChainRun, raws: Sequence[bytes], advance_ms: int) -> None:
    """Resubmitted later: what changes is what expiry and pruning do, computed independently beforehand."""
    expected = expected_after_time(run.state, run.traffic.now_ms + advance_ms)
    members, parties = dict(run.state.members), dict(run.state.parties)
    built = run.resubmit(raws, advance_ms)
    codes = {r.code for r in built.results}
    assert codes <= RESUBMITTED, f"a resubmission got {sorted(Code(c).name for c in codes - RESUBMITTED)}"
    balances, pendings, refs = expected
    got = {k: [a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending]
           for k, a in run.state.accounts.items()}
    assert got == balances, "balances differ from what expiry alone explains"
    assert run.state.pendings == pendings, "pending transfers differ from what expiry and pruning explain"
    assert run.state.refs == refs, "references differ from what their deadlines explain"
    assert (run.state.members, run.state.parties) == (members, parties), "a resubmission changed membership"
