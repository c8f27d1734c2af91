"""Replaying and verifying a chain from its genesis.

A peer (or ``inzira chain verify``) trusts nothing it stored: it decodes each block, checks the orderer's
signature, the hash chain, the Merkle root, every transaction signature, re-executes every transaction and
compares verdicts and the state hash, then checks the invariants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import msgspec

from inzira.ledger.apply import SignatureCheck, apply_block, prepare, verify_prepared
from inzira.ledger.block import Block, BlockHeader, block_hash, check_block_shape, check_signed_header, decode_block
from inzira.ledger.genesis import Genesis
from inzira.ledger.invariants import InvariantError
from inzira.ledger.state import State

VerifyMany = Callable[[list[SignatureCheck]], list[bool]]


class ChainError(Exception):
    """The first thing wrong in a chain: which block, and what."""

    def __init__(self, height: int, reason: str) -> None:
        super().__init__(f"block {height}: {reason}")
        self.height = height
        self.reason = reason


@dataclass
class Replayer:
    """Applies verified blocks one after another on a state that starts at the genesis."""

    genesis: Genesis
    verify_many: VerifyMany
    state: State | None = None
    prev_hash: bytes = b""

    def __post_init__(self) -> None:
        if self.state is None:
            self.state = State.from_genesis(self.genesis)
        if not self.prev_hash:
            self.prev_hash = self.genesis.chain_id
        self.orderer_keys = self.genesis.orderer_keys()
        # What the last applied block did, for a peer that stores it.
        self.last_items: list = []
        self.last_results: list = []
        self.last_write_set: list = []
        self.last_expired: list[bytes] = []
        self.last_pruned: list = []

    def apply_encoded(self, expected_height: int, data: bytes, log_ts_ms: int = 0) -> tuple[Block, BlockHeader]:
        try:
            block = decode_block(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise ChainError(expected_height, f"stored block does not decode ({exc})") from exc
        return block, self.apply(expected_height, block, log_ts_ms)

    def apply(self, expected_height: int, block: Block, log_ts_ms: int = 0) -> BlockHeader:
        """Check and replay one block. ``log_ts_ms`` is the ordering log's own time for the entry that
        carried it (0 when there is no log, as with the solo orderer): the block's time may not run ahead of
        it by more than the policy's skew, so a cutter with a fast clock cannot expire transfers early.

        Raises ChainError for a block to refuse, InvariantError when the state machine broke an invariant
        (a bug: the caller stops)."""
        state = self.state
        header, reason = check_signed_header(block.signed, self.orderer_keys)
        if header is None:
            raise ChainError(expected_height, reason)
        if header.chain_id != state.chain_id:
            raise ChainError(expected_height, "block belongs to another network")
        if header.height != expected_height:
            raise ChainError(expected_height, f"header says height {header.height}")
        if header.prev_hash != self.prev_hash:
            raise ChainError(expected_height, "previous-block hash does not match the chain")
        reason = check_block_time(header, log_ts_ms, state.timestamp_ms, state.policy.block_time_skew_ms)
        if reason:
            raise ChainError(expected_height, reason)
        reason = check_block_shape(block, header)
        if reason:
            raise ChainError(expected_height, reason)
        prepared = [prepare(raw) for raw in block.txs]
        verify_prepared(prepared, self.verify_many)
        try:
            results, write_set, expired = apply_block(state, header.height, header.timestamp_ms, prepared)
        except ValueError as exc:
            raise ChainError(expected_height, str(exc)) from exc
        for i, (got, recorded) in enumerate(zip(results, block.results)):
            if got != recorded:
                raise ChainError(
                    expected_height,
                    f"transaction {i} ({prepared[i].tx_id.hex()[:16]}): recorded code {recorded.code} "
                    f"but replay gives {got.code}",
                )
        if state.state_hash != header.state_hash:
            raise ChainError(expected_height, "state hash differs from the replay")
        self.prev_hash = block_hash(block.signed.header)
        self.last_items, self.last_results = prepared, results
        self.last_write_set, self.last_expired, self.last_pruned = write_set, expired, state.pruned
        return header


def check_block_time(header: BlockHeader, log_ts_ms: int, previous_ms: int, skew_ms: int) -> str:
    """The rule every follower checks on a block's time; returns a reason or ""."""
    if header.timestamp_ms < previous_ms:
        return "block timestamp goes backwards"
    if log_ts_ms and header.timestamp_ms > log_ts_ms + skew_ms:
        return (f"block time {header.timestamp_ms} runs {header.timestamp_ms - log_ts_ms} ms ahead of the ordering "
                f"log's time for it (at most {skew_ms} ms allowed)")
    return ""


def verify_chain(
    genesis: Genesis,
    encoded_blocks: Iterable[tuple[int, bytes, int]],
    verify_many: VerifyMany,
    on_block: Callable[[int, BlockHeader, Replayer], None] | None = None,
    invariants_every: int = 100,
) -> State:
    """Replay (height, encoded block, ordering-log time) triples in order from height 1; raise ChainError at
    the first fault."""
    replayer = Replayer(genesis, verify_many)
    height = 0
    for height_stored, data, log_ts_ms in encoded_blocks:
        height += 1
        if height_stored != height:
            raise ChainError(height, f"block {height} is missing (found {height_stored})")
        try:
            _, header = replayer.apply_encoded(height, data, log_ts_ms)
        except InvariantError as exc:
            raise ChainError(height, f"invariant broken: {exc}") from exc
        if on_block is not None:
            on_block(height, header, replayer)
        if height % invariants_every == 0:
            _check(replayer.state, height)
    _check(replayer.state, height)
    return replayer.state


def _check(state: State, height: int) -> None:
    try:
        state.check_invariants()
    except InvariantError as exc:
        raise ChainError(height, f"invariant broken: {exc}") from exc
