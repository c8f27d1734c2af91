"""The network soak's view of the chain: one peer's stored blocks, replayed as they come and matched with the
messages the soak published.

Each block is replayed from that peer's store (every signature, verdict and state hash checked again, as
``chain verify`` does), handed to the traffic's ground-truth model, and matched with the shots of the
stream messages it covers (``source_first``..``source_last``): each shot a cutter takes must be in that block,
once, in the order published, and its verdict goes to the traffic, which plans the next batch knowing it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path

from inzira.adversary.model import Model
from inzira.adversary.traffic import Shot, Traffic
from inzira.ledger.block import Block, BlockHeader, raw_tx_hash
from inzira.ledger.chain import Replayer
from inzira.ledger.codes import Code
from inzira.node.reader import DB_FILE
from inzira.node.store import Store
from inzira.soak.tally import Tally
from inzira.soak.wire import Message


class ChainFollower:
    def __init__(self, folder: Path, replayer: Replayer, model: Model, traffic: Traffic, tally: Tally) -> None:
        self.store = Store(folder / DB_FILE)
        self.replayer, self.model, self.traffic, self.tally = replayer, model, traffic, tally
        self.awaited: dict[int, Message] = {}  # stream sequence -> a published message a block must cover
        self.covered = 0  # the last stream sequence the chain covers
        self.lost = 0
        self.honest_lost = 0
        self.unexpected_txs = 0  # in a block, but published by nobody the soak knows
        self.out_of_order_blocks = 0

    @property
    def height(self) -> int:
        return self.replayer.state.height  # type: ignore[union-attr]

    def expect(self, message: Message) -> None:
        """A published message whose shots (all of them ones a cutter takes) a block must hold."""
        self.awaited[message.seq] = message

    def follow(self) -> bool:
        """Replay and match the blocks stored since last time; whether there were any. Raises ChainError for a
        stored block the replay refuses, InvariantError when the replay breaks an invariant."""
        moved = False
        for block, header in self._new_blocks():
            moved = True
            r = self.replayer
            self.model.block(header.timestamp_ms, r.last_items, r.last_results, r.last_expired)
            self._match(block, header)
            self.covered = max(self.covered, header.source_last)
            self.tally.blocks += 1
        return moved

    def _new_blocks(self) -> Iterator[tuple[Block, BlockHeader]]:
        tip = self.store.tip()
        if tip is None or tip.height <= self.height:
            return
        for height, _hash, _ts, _count, data, log_ts_ms in self.store.iter_block_rows(self.height + 1):
            yield self.replayer.apply_encoded(height, data, log_ts_ms)

    def _match(self, block: Block, header: BlockHeader) -> None:
        expected: list[Shot] = []
        seen: set[bytes] = set()
        for seq in range(header.source_first, header.source_last + 1):
            message = self.awaited.pop(seq, None)
            for shot in message.shots if message else ():
                digest = raw_tx_hash(shot.raw)
                if digest in seen:  # the same bytes twice in one block: the cutter takes them once
                    self.tally.verdict(shot.shape, Code.DUPLICATE, shot.unexpected(Code.DUPLICATE))
                    continue
                seen.add(digest)
                expected.append(shot)
        if [s.raw for s in expected] != list(block.txs):
            self.out_of_order_blocks += 1
        codes_of: dict[bytes, deque[int]] = {}
        for raw, result in zip(block.txs, block.results):
            codes_of.setdefault(raw, deque()).append(result.code)
        found, codes = [], []
        for shot in expected:
            queue = codes_of.get(shot.raw)
            if not queue:
                self.lose(shot, f"not in block {header.height}, which covers its message")
                continue
            code = queue.popleft()
            found.append(shot)
            codes.append(code)
            self.tally.verdict(shot.shape, code, shot.unexpected(code))
        self.unexpected_txs += sum(len(q) for q in codes_of.values())
        self.traffic.observe(found, codes)

    def lose(self, shot: Shot, why: str) -> None:
        self.lost += 1
        self.honest_lost += shot.honest
        self.tally.example(f"lost {'honest' if shot.honest else 'hostile'} {shot.shape} {shot.tx_id.hex()[:16]}: {why}")

    def unmatched(self) -> None:
        """At the end: whatever was published and never found in a block is lost."""
        for message in self.awaited.values():
            for shot in message.shots:
                self.lose(shot, "its message is in no block")
        self.awaited.clear()

    def close(self) -> None:
        self.store.close()
