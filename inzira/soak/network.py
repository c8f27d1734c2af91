"""``inzira soak network``: the soak's hostile and honest traffic against a small real peer network.

Real NATS servers on loopback, real peer processes, the network's own genesis and keys (the adversary's cast
plays every member with the keys the network gave it). Each planned block of shots is published straight to
the transactions stream, every shot by the member that would send it on its own subject with its own NATS
user (``wire``), with now and then a whole message that is no batch. The soak then follows one peer's
stored chain as it grows, replaying each block (every signature, verdict and state hash checked again) and
feeding the traffic's ground-truth model with it, and matches the block's transactions to the shots the
stream held: each shot that a cutter takes must be in the block covering its message, once, in order, with
its verdict; the traffic learns from those verdicts before it plans the next batch. Every few batches and at
the end: the invariants and the model's comparison on the replayed state, and every peer at one height with
one state hash, the replay's. At the end: every peer's ``/health``, tracebacks in the peers' logs, and
``chain verify`` (``audit``) of one peer's data once the peers are stopped.

The block's time is the cutter's clock, a little after the plan's: the traffic is told so
(``clock_slack_ms``) and plans on the real clock; the setup's two blocks start just behind it.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, TextIO

from inzira.adversary.cast import Cast
from inzira.adversary.model import Model
from inzira.adversary.traffic import Shot, Traffic
from inzira.crypto.verifier_pool import Verifier
from inzira.ledger.apply import prepare
from inzira.ledger.chain import ChainError, Replayer
from inzira.ledger.codes import Code
from inzira.ledger.invariants import InvariantError
from inzira.network.layout import DEMO_MEMBER_IDS, NetworkSettings, orderer_id, peer_folder
from inzira.network.local_network import LocalNetwork
from inzira.node.reader import load_genesis
from inzira.peer.config import load_orderer_key
from inzira.peer.tx_batch import decode_batch
from inzira.process import tune_gc
from inzira.soak import peers as peer_checks
from inzira.soak.follower import ChainFollower
from inzira.soak.network_report import report
from inzira.soak.tally import Tally
from inzira.soak.wire import Senders, Wire, garbage_message, pack

SETTINGS = NetworkSettings(block_interval_ms=20, lease_ttl_ms=2_000, checkpoint_heartbeat_ms=500)
CLOCK_SLACK_MS = 60_000  # more than a batch may take to land in a block (PLAN_TIMEOUT_S)
SETUP_LEAD_MS = 2_000  # the setup plans two blocks a second apart
PLAN_TIMEOUT_S = 45.0  # a published batch not in the chain after this long: the network stalled
AGREE_TIMEOUT_S = 60.0
CHECK_EVERY_PLANS = 20
GARBAGE_MESSAGE_ODDS = 0.3  # per batch: a whole message that is no batch (refused whole)
POLL_S = 0.01

Progress = Callable[[str, int, int], None]


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class NetworkSoak:
    def __init__(self, local: LocalNetwork, members: list[str], transactions: int, seed: int, err: TextIO,
                 on_progress: Progress | None = None, check_every: int = CHECK_EVERY_PLANS) -> None:
        self.local, self.members, self.transactions, self.seed = local, members, transactions, seed
        genesis = load_genesis(local.folder)
        keys = {m: (local.member_key(m),) for m in DEMO_MEMBER_IDS}
        cutter = local.manifest.cutters[0]
        self.cast = Cast(genesis, load_orderer_key(peer_folder(local.folder, cutter), orderer_id(cutter)), keys)
        self.model = Model(genesis)
        self.traffic = Traffic(seed, self.cast, self.model)
        self.traffic.clock_slack_ms = CLOCK_SLACK_MS
        self.tally = Tally(err)
        self.verifier = Verifier(1)
        replayer = Replayer(genesis, self.verifier.verify_many)
        self.follower = ChainFollower(peer_folder(local.folder, members[0]), replayer, self.model, self.traffic,
                                      self.tally)
        publishers = local.manifest.members
        self.senders = Senders(publishers, {m: keys[m][0].public_key for m in publishers}, seed)
        self.wire = Wire(local.nats_urls, {m: local.nats_credentials(m) for m in publishers}, local.ordering(), seed)
        self.rng = random.Random(f"inzira-soak-network/{seed}")
        self.on_progress = on_progress or (lambda phase, done, total: None)
        self.check_every = check_every
        self.counts = dict(garbage_messages=0, agreement_checks=0, disagreements=0, follower_refusals=0)
        self.stopped = ""  # why the run stopped early

    # --- the traffic ---

    def build(self) -> None:
        t, tally = self.traffic, self.tally
        t.now_ms = max(t.now_ms, wall_ms() - SETUP_LEAD_MS)
        setup = t.setup()
        plans = 0
        while tally.transactions < self.transactions and not self.stopped:
            if setup:
                shots = setup.pop(0).shots
            else:
                now_ms = self._clock()
                shots = t.plan(min(t.block_size(), self.transactions - tally.transactions), now_ms - t.now_ms).shots
            self._send(shots)
            plans += 1
            if plans % self.check_every == 0:
                self.check()
            self.on_progress("network", tally.transactions, self.transactions)
        self.check()

    def _clock(self) -> int:
        """The real clock, once it caught up with the traffic's (the setup plans a little ahead)."""
        while (now_ms := wall_ms()) < self.traffic.now_ms:
            time.sleep((self.traffic.now_ms - now_ms) / 1000)
        return now_ms

    def _send(self, shots: list[Shot]) -> None:
        prepared = [prepare(s.raw) for s in shots]
        messages = pack(shots, prepared, self.senders)
        if self.rng.random() < GARBAGE_MESSAGE_ODDS:
            messages.insert(self.rng.randint(0, len(messages)), garbage_message(self.rng, self.senders.anyone()))
        try:
            self.wire.publish(messages)
        except Exception as exc:  # noqa: BLE001 - a refused publish is a defect of the network: report it
            self.tally.defect("exceptions", "publishing to the transactions stream")
            self.stopped = f"publishing failed: {exc!r}"
            return
        self.tally.transactions += len(shots)
        last = 0
        for message in messages:
            if not message.shots:
                self.counts["garbage_messages"] += 1
                continue
            whole = bool(decode_batch(message.payload))
            taken = []
            for shot, p in zip(message.shots, message.prepared):
                if whole and p.code == Code.OK:
                    taken.append(shot)
                elif p.code == Code.OK:
                    self.follower.lose(shot, "in a message no cutter takes")
                else:  # bytes a cutter leaves out of its block: nobody can be answered for them
                    self.tally.verdict(shot.shape, p.code, shot.unexpected(p.code))
            if taken:
                message.shots, message.prepared = taken, []
                self.follower.expect(message)
                last = message.seq
        if last:
            self._wait_covered(last)

    def _wait_covered(self, seq: int) -> None:
        deadline = time.monotonic() + PLAN_TIMEOUT_S
        while self.follower.covered < seq and not self.stopped:
            if not self._follow():
                if time.monotonic() > deadline:
                    self.stopped = f"stream entry {seq} not in a block of {self.members[0]} after {PLAN_TIMEOUT_S} s"
                    self.tally.example(self.stopped)
                    return
                time.sleep(POLL_S)

    # --- the chain ---

    def _follow(self) -> bool:
        """Replay the blocks the followed peer stored since last time; whether there were any."""
        try:
            return self.follower.follow()
        except ChainError as exc:  # a peer stored a block its own chain's replay refuses
            self.counts["follower_refusals"] += 1
            self.stopped = f"replaying {self.members[0]}'s chain: {exc}"
            self.tally.example(self.stopped)
        except InvariantError:
            self.tally.defect("invariant_violations", f"replaying {self.members[0]}'s chain")
            self.stopped = "invariant broken in the replay"
        return False

    # --- checks ---

    def check(self) -> None:
        """Invariants and the model on the replayed state; every peer on one block, with the replay's state."""
        self._follow()
        self._check_state()
        state = self.follower.replayer.state
        self.counts["agreement_checks"] += 1
        for _ in range(3):  # a block cut meanwhile (an expiry): look again
            tip = peer_checks.wait_agreed(self.local, self.members, self.follower.height, AGREE_TIMEOUT_S)
            if tip is None:
                break
            self._follow()
            if self.follower.height == tip.height:
                if tip.state_hash != state.state_hash.hex():  # type: ignore[union-attr]
                    self.counts["disagreements"] += 1
                    self.tally.example(f"peers agree at {tip.height} on a state the replay does not reach")
                return
        self.counts["disagreements"] += 1
        found = peer_checks.statuses(self.local, self.members)
        self.tally.example("peers do not agree: " + str({m: s and (s["height"], s["state_hash"][:12], s["problem"])
                                                         for m, s in found.items()}))

    def _check_state(self) -> None:
        state = self.follower.replayer.state
        try:
            state.check_invariants()  # type: ignore[union-attr]
        except InvariantError:
            self.tally.defect("invariant_violations", f"after block {self.follower.height}")
        self.model.compare(state)  # type: ignore[arg-type]

    def finish(self) -> None:
        """Once the peers stopped: the rest of the followed chain (expiries cut since the last check), the
        invariants and the model once more, and whatever was published but is in no block is lost."""
        self._follow()
        self._check_state()
        self.follower.unmatched()

    def close(self) -> None:
        self.wire.close()
        self.verifier.close()
        self.follower.close()


def soak(local: LocalNetwork, members: list[str], transactions: int, seed: int, err: TextIO = sys.stderr,
         on_progress: Progress | None = None, check_every: int = CHECK_EVERY_PLANS) -> dict[str, object]:
    """The soak on a running network whose peers are ``members`` (the first is followed); stops the peers at
    the end to verify the first one's data."""
    tune_gc()
    run = NetworkSoak(local, members, transactions, seed, err, on_progress, check_every)
    started = time.perf_counter()
    try:
        run.build()
        seconds = time.perf_counter() - started
        found = peer_checks.statuses(local, members)
        health = peer_checks.health(local, members)
        for member in set(members) & set(local.running_peers()):
            local.stop_peer(member)
        run.finish()
    finally:
        run.close()
    return report(run, local, members, seed, seconds, found, health)


def run(transactions: int, seed: int, peers: int = 3, err: TextIO = sys.stderr,
        on_progress: Progress | None = None) -> dict[str, object]:
    """Start a network of ``peers`` demo members (NATS servers and peers on loopback, in a folder of its own),
    soak it, stop it. The folder is removed after a clean run and kept (named in the result) otherwise."""
    if not 1 <= peers <= len(DEMO_MEMBER_IDS):
        raise ValueError(f"peers must be in 1..{len(DEMO_MEMBER_IDS)}")
    folder = Path(tempfile.mkdtemp(prefix="inzira-soak-network-"))
    members = list(DEMO_MEMBER_IDS[:peers])
    local = LocalNetwork(folder)
    started = time.perf_counter()
    result: dict[str, object] = {}
    try:
        local.up(members, servers=3, settings=SETTINGS)
        startup_s = time.perf_counter() - started
        result = soak(local, members, transactions, seed, err, on_progress)
        result["startup_seconds"] = round(startup_s, 1)
    finally:
        local.down()
    clean = not any(result.get(k) for k in ("exceptions", "invariant_violations", "duplicates_applied", "lost",
                                            "stopped_early")) and result.get("peers_agree")
    if clean:
        shutil.rmtree(folder, ignore_errors=True)
    result["folder"] = None if clean else str(folder)
    return result
