"""Announcing this peer's chain: a signed checkpoint after every block, a snapshot every N blocks.

Checkpoints are built on the ledger thread right after a block is stored and handed to the event loop to
send, without waiting for anything. An idle peer repeats its last checkpoint now and then, so peers that
start later, and refusals of bad entries, are heard even when no block comes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import nats.errors

from inzira.crypto import KeyPair
from inzira.ledger.block import BlockHeader
from inzira.node.node import Node
from inzira.ordering.jetstream import CheckpointLog, OrderingError
from inzira.peer import snapshots
from inzira.peer.agreement import Agreement
from inzira.peer.checkpoints import CHECKPOINT_VERSION, Checkpoint, sign_checkpoint
from inzira.peer.ledger_thread import Rejection

log = logging.getLogger(__name__)


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class AnnouncerSettings:
    member: str
    key: KeyPair
    snapshot_every_blocks: int
    heartbeat_ms: int


class Announcer:
    def __init__(self, node: Node, settings: AnnouncerSettings, files: snapshots.SnapshotFiles,
                 agreement: Agreement, last_rejection: Callable[[], Rejection | None], api_url: Callable[[], str],
                 clock_ms: Callable[[], int] = wall_clock_ms) -> None:
        self.node = node
        self.settings = settings
        self.checkpoint_log: CheckpointLog | None = None  # set by ``bind`` once connected
        self.files = files
        self.agreement = agreement
        self.last_rejection = last_rejection
        self.api_url = api_url
        self.clock_ms = clock_ms
        self.loop: asyncio.AbstractEventLoop | None = None
        self.latest: Checkpoint | None = None  # the checkpoint of this peer's newest block
        self.snapshots_taken = 0
        self._sent_at_ms = 0
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop, checkpoint_log: CheckpointLog) -> None:
        """Start sending, on ``loop`` (call on that loop)."""
        self.loop, self.checkpoint_log = loop, checkpoint_log

    def start_from(self, height: int, blocks_seq: int, source_last: int) -> None:
        """The checkpoint of the block the node holds at start-up."""
        node = self.node
        block_hash = node.block_hash if height else node.chain_id
        self.latest = self._checkpoint(height, block_hash, node.state.state_hash, blocks_seq, source_last)

    # --- ledger thread ---

    def on_block(self, header: BlockHeader, block_hash: bytes, seq: int) -> None:
        checkpoint = self._checkpoint(header.height, block_hash, header.state_hash, seq, header.source_last)
        with self._lock:
            self.latest = checkpoint
        self._send(checkpoint, snapshot=False)
        if header.height % self.settings.snapshot_every_blocks == 0:
            self._snapshot(checkpoint)

    def _snapshot(self, checkpoint: Checkpoint) -> None:
        block = self.node.store.block(checkpoint.height)
        if block is None:
            return
        data, digest = snapshots.take(self.node.state, block, checkpoint.blocks_seq,
                                      self.node.store.block_log_ts(checkpoint.height))
        self.files.save(checkpoint.height, data)
        self.snapshots_taken += 1
        self.agreement.on_own_digest(checkpoint.height, digest)
        self._send(msgspec.structs.replace(checkpoint, digest=digest), snapshot=True)

    # --- event loop ---

    async def heartbeat(self) -> None:
        every_ms = self.settings.heartbeat_ms
        while True:
            await asyncio.sleep(every_ms / 1000 / 2)
            if self.clock_ms() - self._sent_at_ms >= every_ms and self.latest is not None:
                with self._lock:
                    latest = self.latest
                refreshed = self._checkpoint(latest.height, latest.block_hash, latest.state_hash, latest.blocks_seq,
                                             latest.source_last)
                await self._publish(sign_checkpoint(refreshed, self.settings.key), False)

    # --- internals ---

    def _checkpoint(self, height: int, block_hash: bytes, state_hash: bytes, seq: int, source_last: int) -> Checkpoint:
        rejection = self.last_rejection()
        return Checkpoint(
            CHECKPOINT_VERSION, self.node.chain_id, self.settings.member, height, block_hash, state_hash, seq,
            source_last, b"", rejection.height if rejection else 0, rejection.block_hash if rejection else b"",
            self.api_url(), self.clock_ms(),
        )

    def _send(self, checkpoint: Checkpoint, snapshot: bool) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        payload = sign_checkpoint(checkpoint, self.settings.key)
        try:
            asyncio.run_coroutine_threadsafe(self._publish(payload, snapshot), loop)
        except RuntimeError:  # the loop is closing: the peer is stopping
            pass

    async def _publish(self, payload: bytes, snapshot: bool) -> None:
        if self.checkpoint_log is None:
            return
        self._sent_at_ms = self.clock_ms()
        try:
            await self.checkpoint_log.publish(self.settings.member, payload, snapshot)
        except (OrderingError, nats.errors.Error) as exc:
            log.debug("checkpoint not sent: %r", exc)
