"""The peer's chain position and every change to its node, on one thread of its own.

Blocks from the stream, blocks this peer cuts, roll-backs and snapshot installs all run on that one thread,
in the order the event loop hands them over under ``lock``, so the node never sees two writers and the event
loop is never blocked by replaying a block.

Entries of the blocks stream are judged one after another against the chain so far: the next valid block
is applied; anything else (a bad signature, an altered transaction, a wrong previous hash, garbage) is
refused, reported and skipped. Every honest peer reads the same entries in the same order, so every honest
peer refuses the same ones. ``processed_seq`` is the last entry judged; the node's meta remembers the entry
of the last block stored, so after a restart refused entries are judged (and refused) again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from inzira.crypto import KeyPair
from inzira.ledger.apply import Prepared, prepare, verify_prepared
from inzira.ledger.block import (
    BlockHeader,
    BuiltBlock,
    SignedHeader,
    block_hash,
    decode_block,
    decode_header,
    raw_tx_hash,
)
from inzira.ledger.chain import ChainError
from inzira.ledger.codes import Code
from inzira.node.node import Node
from inzira.peer.agreement import Agreement
from inzira.peer.snapshots import Snapshot, split_rows

BLOCKS_SEQ_META = "blocks_seq"
REJECTIONS_KEPT = 100
RECENT_HASHES_KEPT = 4_096
CLAIMS_KEPT = 1_024  # blocks' coverage claims the cutter has not looked at yet
CLAIMS_AT_START = 16  # the last blocks' claims, read back at start (each read decodes a block of up to 1 MiB)

T = TypeVar("T")
log = logging.getLogger(__name__)

# Called on the ledger thread after each stored block: header, block hash, blocks-stream entry.
OnBlock = Callable[[BlockHeader, bytes, int], None]


@dataclass(frozen=True, slots=True)
class Rejection:
    seq: int  # the blocks-stream entry
    height: int  # the height it claimed, 0 when it does not decode
    block_hash: bytes  # the hash of its header, empty when it does not decode
    reason: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class Cut:
    built: BuiltBlock
    items: list[Prepared]


def _seq_meta(seq: int) -> list[tuple[str, bytes]]:
    return [(BLOCKS_SEQ_META, str(seq).encode())]


class PeerLedger:
    def __init__(self, node: Node, agreement: Agreement, on_block: OnBlock) -> None:
        self.node = node
        self.agreement = agreement
        self.on_block = on_block
        self.lock = asyncio.Lock()  # held by whoever is between judging an entry and storing its outcome
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="ledger")
        stored = node.store.get_meta(BLOCKS_SEQ_META)
        self.processed_seq = int(stored) if stored else 0
        self.rejections: deque[Rejection] = deque(maxlen=REJECTIONS_KEPT)
        self.rejected_total = 0
        self._recent: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self.source_last = node.header(node.height).source_last if node.height else 0
        # What blocks claim to cover of the transactions stream, with the stream's time for each: a cutter
        # believes only a claim the stream held by then (``Cutter._resume_at``), never one going backwards.
        self.source_verified = 0
        self.claims: deque[tuple[int, int]] = deque(maxlen=CLAIMS_KEPT)
        for height in range(max(1, node.height - CLAIMS_AT_START + 1), node.height + 1):
            self.claims.append((node.header(height).source_last, node.store.block_log_ts(height)))
        agreement.on_own_block(node.height)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn`` on the ledger thread and wait for it without blocking the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    # --- on the ledger thread ---

    def apply_entry(self, seq: int, payload: bytes, log_ts_ms: int) -> Rejection | None:
        """Judge one entry of the blocks stream (stored by the stream at ``log_ts_ms``, its own clock): store
        it if it is the next valid block, else refuse it."""
        height, claimed_hash = _claimed(payload)
        node = self.node
        if 0 < height <= node.height and claimed_hash == self._hash_at(height):
            self.processed_seq = seq  # a block this peer already holds (it started from a snapshot after it)
            return None
        try:
            if log_ts_ms <= 0:
                raise ChainError(height, "the ordering log gave no time for this entry")
            header = node.apply_remote(payload, _seq_meta(seq), log_ts_ms)
        except ChainError as exc:
            return self.refuse(seq, height, claimed_hash, exc.reason)
        self.processed_seq = seq
        self._after(header, node.block_hash, seq, log_ts_ms)
        return None

    def refuse(self, seq: int, height: int, claimed_hash: bytes, reason: str) -> Rejection:
        """Record an entry of the blocks stream as refused (every honest peer refuses the same ones)."""
        self.processed_seq = seq
        rejection = Rejection(seq, height, claimed_hash, reason, time.time_ns() // 1_000_000)
        self.rejections.append(rejection)
        self.rejected_total += 1
        log.warning("refused blocks-stream entry %d (claims height %d): %s", seq, height, reason)
        self.agreement.on_rejected(height, claimed_hash)
        return rejection

    def cut(self, raws: Sequence[bytes], source_first: int, source_last: int, timestamp_ms: int,
            orderer_id: str, orderer_key: KeyPair, empty_ok: bool = False) -> Cut | None:
        """Build (in memory only) the next block from transactions read off the stream; None when there is
        none, unless ``empty_ok`` (a block that only expires what is due). ``keep`` or ``drop`` must follow."""
        items: list[Prepared] = []
        seen: set[bytes] = set()
        for raw in raws:
            # Undecodable bytes are left out of the block (nobody can be answered for them); copies of one
            # body under other signatures all go in: the state machine decides which one spends the id.
            p = prepare(raw)
            digest = raw_tx_hash(raw)
            if p.code == Code.OK and digest not in seen:
                seen.add(digest)
                items.append(p)
        # A resend of a transaction already in the chain goes in again: the state machine answers it
        # "duplicate" from the spent ids in its state, so every peer, even one that started from a snapshot
        # and has no index row for it, hears a verdict instead of waiting for the deadline.
        if not items and not empty_ok:
            return None
        verify_prepared(items, self.node.verifier.verify_many)
        built = self.node.build(items, timestamp_ms, orderer_id, orderer_key, source_first, source_last)
        return Cut(built, items)

    def keep(self, cut: Cut, seq: int, log_ts_ms: int) -> None:
        """The ordering service took the block as entry ``seq`` at ``log_ts_ms`` (its clock): store it."""
        self.node.store_built(cut.built, cut.items, _seq_meta(seq), log_ts_ms)
        self.processed_seq = seq
        self._after(cut.built.header, cut.built.hash, seq, log_ts_ms)

    def drop(self) -> None:
        """The block was not taken (another cutter was first): back to the last stored block."""
        self.node.reload()

    def install(self, snapshot: Snapshot, header: BlockHeader, digest: bytes) -> None:
        """Replace the state with a verified snapshot and continue from its block."""
        rows, refs = split_rows(snapshot.rows)
        block = decode_block(snapshot.block)
        digest_of_header = block_hash(block.signed.header)
        row = (header.height, digest_of_header, header.timestamp_ms, header.tx_count, snapshot.block,
               snapshot.log_ts_ms)
        self.node.store.install_snapshot(row, rows, refs, header.state_hash, _seq_meta(snapshot.blocks_seq))
        self.node.reload()
        self.processed_seq = snapshot.blocks_seq
        self._recent.clear()
        self.claims.clear()
        self.source_verified = header.source_last  # a block a quorum of peers signed
        self.agreement.on_own_digest(header.height, digest)
        # As after any stored block: remembered, announced in a checkpoint (so this peer's status names the
        # block it now stands on, not the genesis), counted for agreement.
        self._after(header, digest_of_header, snapshot.blocks_seq, snapshot.log_ts_ms)

    # --- any thread ---

    def hashes_at(self, height: int) -> tuple[bytes, bytes] | None:
        """(block hash, state hash) of this peer's block at ``height``, if it holds it."""
        found = self._recent.get(height)
        if found is not None:
            return found
        if height <= 0 or height > self.node.height:
            return None
        try:
            header, digest = self.node.reader.header(height)
        except KeyError:
            return None
        return digest, header.state_hash

    # --- internals ---

    def _hash_at(self, height: int) -> bytes | None:
        found = self.hashes_at(height)
        return found[0] if found else None

    def _remember(self, height: int, digest: bytes, state_hash: bytes) -> None:
        self._recent[height] = (digest, state_hash)
        while len(self._recent) > RECENT_HASHES_KEPT:
            self._recent.popitem(last=False)

    def _after(self, header: BlockHeader, digest: bytes, seq: int, log_ts_ms: int) -> None:
        self._remember(header.height, digest, header.state_hash)
        self.source_last = header.source_last
        self.claims.append((header.source_last, log_ts_ms))
        self.agreement.on_own_block(header.height)
        self.on_block(header, digest, seq)


# Only the signed header: the transactions stay undecoded (the node decodes and checks the whole block).
_decode_head = msgspec.msgpack.Decoder(tuple[SignedHeader, msgspec.Raw, msgspec.Raw]).decode


def _claimed(payload: bytes) -> tuple[int, bytes]:
    """The height an entry claims and the hash of its header, or (0, b"") when it does not decode."""
    try:
        signed = _decode_head(payload)[0]
        return decode_header(signed.header).height, block_hash(signed.header)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        # RecursionError: msgspec skips a Raw part recursively, so arrays nested ~1,000 deep in a kilobyte
        # of garbage would otherwise end the follower of every peer reading the entry.
        return 0, b""
