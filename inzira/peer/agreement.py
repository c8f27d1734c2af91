"""Agreement: comparing this peer's chain with the signed checkpoints of the other peers.

A peer holds what it validated, so two honest peers can only differ if one of them is broken (a corrupted
store, a bug, a different genesis). This peer calls itself diverged when at some height a quorum of OTHER
peers agree among themselves on something this peer does not have there: another block or state hash,
another state digest at a snapshot height, or a block that this peer refused. A single other peer that
disagrees is reported, never followed: a minority cannot stop a peer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable

from inzira.peer.checkpoints import Checkpoint

OwnHashes = Callable[[int], "tuple[bytes, bytes] | None"]  # (block hash, state hash) at a height, if held

WAITING_PER_PEER_MAX = 256  # checkpoints above this peer's height, compared once it gets there
REJECTED_KEPT = 1_024
DIGESTS_KEPT = 16
EVIDENCE_HEIGHTS_KEPT = 256
PEERS_MAX = 1_000


class Agreement:
    def __init__(self, member: str, quorum: int, own_hashes: OwnHashes) -> None:
        self.member = member
        self.quorum = quorum
        self._own_hashes = own_hashes
        self._lock = threading.Lock()
        self.height = 0
        self.latest: dict[str, Checkpoint] = {}  # the newest checkpoint of each other peer
        self.verdicts: dict[str, str] = {}  # other peer -> "agrees at 12", "disagrees at 12: ...", "ahead at 13"
        self.diverged: str | None = None
        self._waiting: dict[str, deque[Checkpoint]] = {}
        self._rejected: OrderedDict[tuple[int, bytes], None] = OrderedDict()
        self._digests: OrderedDict[int, bytes] = OrderedDict()
        # height -> what others hold there that this peer does not -> who says so
        self._evidence: OrderedDict[int, dict[tuple[bytes, bytes, bytes], set[str]]] = OrderedDict()

    # --- what this peer did (ledger thread) ---

    def on_own_block(self, height: int) -> None:
        with self._lock:
            self.height = height
            self._recheck(lambda cp: cp.height <= height)

    def on_own_digest(self, height: int, digest: bytes) -> None:
        with self._lock:
            self._digests[height] = digest
            while len(self._digests) > DIGESTS_KEPT:
                self._digests.popitem(last=False)
            self._recheck(lambda cp: cp.height == height)

    def on_rejected(self, height: int, block_hash: bytes) -> None:
        if not block_hash:
            return  # an entry that does not even decode names no block anyone could hold
        with self._lock:
            self._rejected[(height, block_hash)] = None
            while len(self._rejected) > REJECTED_KEPT:
                self._rejected.popitem(last=False)
            self._recheck(lambda cp: cp.height == height)

    # --- what the others say (event loop) ---

    def on_checkpoint(self, checkpoint: Checkpoint) -> None:
        member = checkpoint.member
        if member == self.member:
            return
        with self._lock:
            if member not in self.latest and len(self.latest) >= PEERS_MAX:
                return
            if not checkpoint.digest:
                self.latest[member] = checkpoint
            self._judge(checkpoint)

    def others_agreeing(self) -> list[str]:
        with self._lock:
            return sorted(m for m, v in self.verdicts.items() if v.startswith("agrees"))

    # --- under the lock ---

    def _recheck(self, due: Callable[[Checkpoint], bool]) -> None:
        ready: list[Checkpoint] = []
        for member, queue in list(self._waiting.items()):
            if any(due(cp) for cp in queue):
                ready += [cp for cp in queue if due(cp)]
                self._waiting[member] = deque((cp for cp in queue if not due(cp)), WAITING_PER_PEER_MAX)
        for cp in ready:
            self._judge(cp)

    def _judge(self, cp: Checkpoint) -> None:
        height = cp.height
        if cp.digest:
            mine_digest = self._digests.get(height)
            if mine_digest is None:
                if height > self.height:
                    self._wait(cp)
                return  # a digest this peer never took (it started from a snapshot above it, or long ago)
            if cp.digest != mine_digest:
                self._against(cp, "its state digest differs")
            return
        if height > self.height:
            if (height, cp.block_hash) in self._rejected:
                self._against(cp, "it accepted a block this peer refused")
            else:
                self.verdicts[cp.member] = f"ahead at {height}"
                self._wait(cp)
            return
        mine = self._own_hashes(height)
        if mine is None:
            self.verdicts[cp.member] = f"unknown at {height} (below this peer's first block)"
        elif (cp.block_hash, cp.state_hash) != mine:
            self._against(cp, "its block or state hash differs")
        else:
            self.verdicts[cp.member] = f"agrees at {height}"

    def _wait(self, cp: Checkpoint) -> None:
        queue = self._waiting.setdefault(cp.member, deque(maxlen=WAITING_PER_PEER_MAX))
        queue.append(cp)

    def _against(self, cp: Checkpoint, why: str) -> None:
        self.verdicts[cp.member] = f"disagrees at {cp.height}: {why}"
        at_height = self._evidence.setdefault(cp.height, {})
        while len(self._evidence) > EVIDENCE_HEIGHTS_KEPT:
            self._evidence.popitem(last=False)
        members = at_height.setdefault(cp.value, set())
        members.add(cp.member)
        if len(members) >= self.quorum and self.diverged is None:
            self.diverged = (
                f"at height {cp.height} {len(members)} other peers ({', '.join(sorted(members))}) agree on "
                f"block {cp.block_hash.hex()[:16]} / state {cp.state_hash.hex()[:16]}, and this peer does not: "
                f"{why}"
            )
