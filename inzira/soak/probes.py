"""Attacks on the chain rather than on one transaction: a block from a fast clock, a block or a batch past
its limit. Each is tried on a copy of the state (or a follower) and must be refused without changing it."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from inzira.crypto import KeyPair
from inzira.demo.members import ORDERER_ID
from inzira.ledger.apply import prepare
from inzira.ledger.block import BLOCK_TXS_MAX, build_block
from inzira.ledger.chain import ChainError, Replayer
from inzira.ledger.state import State
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX, TxBatch, decode_batch
from inzira.soak.tally import Tally

FAST_CLOCK_AHEAD_MS = 10 * 60_000  # how far ahead of the ordering log the forged block's clock runs


@dataclass(frozen=True)
class ForgedBlock:
    height: int
    encoded: bytes
    log_ms: int  # the ordering log's real time for the entry that carries it
    early_expiries: int  # pending transfers it would expire before their time


def forge_fast_clock(copy: State, prev_hash: bytes, orderer_key: KeyPair, timestamp_ms: int,
                     log_ms: int) -> ForgedBlock:
    """The next block as a cutter with a fast clock would make it: well formed, signed, every state change
    consistent with its time, which runs ahead of the ordering log. Built on ``copy``, which it consumes."""
    built = build_block(copy, prev_hash, timestamp_ms + FAST_CLOCK_AHEAD_MS, [], ORDERER_ID, orderer_key)
    return ForgedBlock(built.header.height, built.encoded, log_ms, len(built.expired))


def offer_forged(replayer: Replayer, forged: ForgedBlock, tally: Tally) -> None:
    """A follower must refuse the forged block by the time rule, and be left as it was."""
    state = replayer.state
    before = (state.state_hash, state.height, state.timestamp_ms, replayer.prev_hash)  # type: ignore[union-attr]
    tally.fast_clock_blocks += 1
    try:
        replayer.apply_encoded(forged.height, forged.encoded, forged.log_ms)
    except ChainError as exc:
        if "ahead of the ordering log" in exc.reason:
            tally.fast_clock_refused += 1
            tally.early_expiries_refused += forged.early_expiries
        else:
            tally.example(f"fast-clock block {forged.height} refused for another reason: {exc.reason}")
    else:
        tally.example(f"fast-clock block {forged.height} was accepted")
    state = replayer.state
    if (state.state_hash, state.height, state.timestamp_ms, replayer.prev_hash) != before:  # type: ignore[union-attr]
        tally.example(f"a refused fast-clock block {forged.height} changed the follower")


def oversize_block(copy: State, prev_hash: bytes, orderer_key: KeyPair, timestamp_ms: int, tally: Tally) -> None:
    """A block past BLOCK_TXS_MAX is refused before it touches the state."""
    before = (copy.state_hash, copy.height, len(copy.refs))
    items = [prepare(b"")] * (BLOCK_TXS_MAX + 1)
    try:
        build_block(copy, prev_hash, timestamp_ms, items, ORDERER_ID, orderer_key)
    except ValueError:
        if (copy.state_hash, copy.height, len(copy.refs)) == before:
            tally.oversize_blocks_refused += 1
            return
    tally.example("a block past BLOCK_TXS_MAX was built or changed the state")


def oversize_batch(tally: Tally) -> None:
    """A batch past TX_BATCH_TXS_MAX on the transactions stream is refused whole, never cut short."""
    raws = tuple(b"x" for _ in range(TX_BATCH_TXS_MAX + 1))
    if decode_batch(msgspec.msgpack.encode(TxBatch(1, raws))) == ():
        tally.oversize_batches_refused += 1
    else:
        tally.example("a batch past TX_BATCH_TXS_MAX was accepted")
