"""``inzira soak ledger``: seeded hostile traffic through the real state machine, then a replay from genesis.

Every block is built by the real ``build_block`` after real signature checks (on every core), and kept in a
temporary file, not in memory. Any exception out of the state machine is a defect: it is counted, its
traceback printed (the first few), and the run goes on from a state replayed from the file without the
block that raised. The invariants are checked every few blocks and at the end, the state is compared with
the traffic's ground-truth model, and it is rebuilt from its own rows now and then (as a node restarting
from a snapshot) with the replays that follow still refused. At the end the whole chain is replayed by a
follower (``verify_chain``), which must refuse the fast-clock blocks offered to it on the way and reach the
same state hash and the same state.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Callable, TextIO

from inzira.adversary.cast import Cast
from inzira.adversary.model import Model
from inzira.adversary.traffic import Plan, Traffic
from inzira.crypto.verifier_pool import Verifier
from inzira.demo.members import ORDERER_ID
from inzira.ledger.apply import prepare, verify_prepared
from inzira.ledger.block import build_block
from inzira.ledger.chain import ChainError, Replayer, verify_chain
from inzira.ledger.invariants import InvariantError
from inzira.ledger.state import State
from inzira.process import tune_gc
from inzira.soak import probes
from inzira.soak.chain_file import ChainFile
from inzira.soak.tally import Tally

CHECK_EVERY_BLOCKS = 50  # full invariants and the model's comparison
SNAPSHOT_EVERY_BLOCKS = 100  # rebuild the state from its rows, forge a fast-clock block
RECOVERIES_MAX = 3  # after this many blocks that raised (each replayed around), the run stops early

Progress = Callable[[str, int, int], None]  # phase, done, total


class Soak:
    def __init__(self, transactions: int, seed: int, verifier: Verifier, err: TextIO,
                 on_progress: Progress | None, check_every: int, snapshot_every: int) -> None:
        self.transactions, self.seed = transactions, seed
        self.cast = Cast.demo()
        self.model = Model(self.cast.genesis)
        self.traffic = Traffic(seed, self.cast, self.model)
        self.state = State.from_genesis(self.cast.genesis)
        self.prev_hash = self.cast.genesis.chain_id
        self.verifier = verifier
        self.tally = Tally(err)
        self.chain = ChainFile()
        self.on_progress = on_progress or (lambda phase, done, total: None)
        self.check_every, self.snapshot_every = check_every, snapshot_every
        self.forged: dict[int, probes.ForgedBlock] = {}
        self.snapshot_rows: list | None = None
        self.stopped_early = False

    # --- building the chain ---

    def build(self) -> None:
        setup = self.traffic.setup()
        tally = self.tally
        while tally.transactions < self.transactions and not self.stopped_early:
            left = self.transactions - tally.transactions
            plan = setup.pop(0) if setup else self.traffic.plan(min(self.traffic.block_size(), left))
            if self.snapshot_rows is not None:
                self._probe(plan)
            self._block(plan)
            if tally.blocks % self.check_every == 0:
                self.check()
            if tally.blocks % self.snapshot_every == 0:
                self._snapshot()
            self.on_progress("build", tally.transactions, self.transactions)
        self.check()

    def _block(self, plan: Plan) -> None:
        tally = self.tally
        shots, items = [], []
        for shot in plan.shots:
            try:
                items.append(prepare(shot.raw))
            except Exception:  # noqa: BLE001 - any exception out of the state machine is a defect to count
                tally.defect("exceptions", f"in prepare ({shot.shape})")
                continue
            shots.append(shot)
        tally.transactions += len(plan.shots)
        try:
            verify_prepared(items, self.verifier.verify_many)
            built = build_block(self.state, self.prev_hash, plan.timestamp_ms, items, ORDERER_ID,
                                self.cast.orderer_key)
        except InvariantError:
            tally.defect("invariant_violations", f"at block {self.state.height + 1}")
            self._recover(shots)
            return
        except Exception:  # noqa: BLE001
            tally.defect("exceptions", f"in block {self.state.height + 1}")
            self._recover(shots)
            return
        self.prev_hash = built.hash
        tally.blocks += 1
        self.chain.append(built.header.height, plan.log_ms, built.encoded)
        codes = [r.code for r in built.results]
        self.model.block(plan.timestamp_ms, items, built.results, built.expired)
        for shot, code in zip(shots, codes):
            tally.verdict(shot.shape, code, shot.unexpected(code))
        self.traffic.observe(shots, codes)

    def _recover(self, shots: list) -> None:
        """Go on from the chain as stored (without the block that raised), replayed by a follower."""
        self.traffic.observe(shots, None)
        self.tally.recoveries += 1
        replayer = Replayer(self.cast.genesis, self.verifier.verify_many)
        for height, data, log_ms in self.chain.records():
            replayer.apply_encoded(height, data, log_ms)
        self.state, self.prev_hash = replayer.state, replayer.prev_hash  # type: ignore[assignment]
        self.stopped_early = self.tally.recoveries >= RECOVERIES_MAX

    def check(self) -> None:
        try:
            self.state.check_invariants()
        except InvariantError:
            self.tally.defect("invariant_violations", f"after block {self.state.height}")
        self.model.compare(self.state)

    def _snapshot(self) -> None:
        """Restart from the state's own rows, as a node does from its snapshot; replays must still fail."""
        s = self.state
        self.snapshot_rows = rows = s.rows()
        self.state = State.from_rows(s.chain_id, rows, s.height, s.state_hash, s.timestamp_ms)
        self.tally.snapshots += 1
        self.traffic.snapshot_taken()

    def _probe(self, plan: Plan) -> None:
        """On a copy of the state: a block past its size limit, then a block from a fast clock."""
        s, rows = self.state, self.snapshot_rows
        self.snapshot_rows = None
        copy = State.from_rows(s.chain_id, rows, s.height, s.state_hash, s.timestamp_ms)  # type: ignore[arg-type]
        probes.oversize_block(copy, self.prev_hash, self.cast.orderer_key, plan.timestamp_ms, self.tally)
        probes.oversize_batch(self.tally)
        forged = probes.forge_fast_clock(copy, self.prev_hash, self.cast.orderer_key, plan.timestamp_ms, plan.log_ms)
        self.forged[forged.height] = forged

    # --- replaying it ---

    def replay(self) -> tuple[bool, str]:
        blocks = self.chain.blocks

        def on_block(height: int, _header: object, replayer: Replayer) -> None:
            forged = self.forged.get(height + 1)
            if forged is not None:
                probes.offer_forged(replayer, forged, self.tally)
            self.on_progress("replay", height, blocks)

        try:
            replayed = verify_chain(self.cast.genesis, self.chain.records(), self.verifier.verify_many, on_block,
                                    invariants_every=self.check_every)
        except ChainError as exc:
            return False, str(exc)
        if replayed.state_hash != self.state.state_hash:
            return False, "state hash differs"
        if replayed.digest() != self.state.digest():
            return False, "state differs (same history hash)"
        return True, ""


def run(transactions: int, seed: int, on_progress: Progress | None = None, err: TextIO = sys.stderr,
        check_every: int = CHECK_EVERY_BLOCKS, snapshot_every: int = SNAPSHOT_EVERY_BLOCKS) -> dict[str, object]:
    tune_gc()
    verifier = Verifier()
    soak = Soak(transactions, seed, verifier, err, on_progress, check_every, snapshot_every)
    started = time.perf_counter()
    try:
        soak.build()
        built_s = time.perf_counter() - started
        replay_equal, replay_fault = soak.replay()
    finally:
        verifier.close()
        soak.chain.close()
    seconds = time.perf_counter() - started
    tally, faults, state = soak.tally, soak.model.faults, soak.state
    if replay_fault:
        tally.example(f"replay: {replay_fault}")
    report = tally.report()
    return {
        "transactions": tally.transactions,
        "seed": seed,
        "exceptions": tally.exceptions,
        "invariant_violations": tally.invariant_violations,
        "replay_equal": replay_equal,
        "duplicates_applied": faults.duplicates_applied,
        "tx_per_s": round(tally.transactions / seconds),
        "seconds": round(seconds, 1),
        "build_seconds": round(built_s, 1),
        "replay_seconds": round(seconds - built_s, 1),
        "model_mismatches": faults.model_mismatches,
        "rule_violations": faults.rule_violations,
        "resolved_twice": faults.resolved_twice,
        "expiry_mismatches": faults.expiry_mismatches,
        "stopped_early": soak.stopped_early,
        "committed": soak.model.commits,
        "final_state": {"height": state.height, "accounts": len(state.accounts), "pendings": len(state.pendings),
                        "references": len(state.refs), "members": len(state.members), "parties": len(state.parties)},
        "chain_bytes": soak.chain.bytes,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        **{k: v for k, v in report.items() if k not in ("transactions", "exceptions", "invariant_violations")},
        "model_examples": faults.examples,
    }
