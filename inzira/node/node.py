"""A member's peer: its state, its store and its feed, and the two ways a block arrives.

``commit_local`` is the orderer's path (build, sign, store a block from verified transactions);
``apply_remote`` is every other peer's path (verify a block from the ordering service, replay, store).
Either way a block is durable before anyone hears of it, and before ``height`` (``tip``) names it: readers on
other threads see the last stored block, never one still being applied or written. A distributed block cutter
splits the first path: ``build`` (in memory), then ``store_built`` once the ordering service took the block, or
``reload`` (back to the last stored block) when another cutter won.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import msgspec

from inzira.crypto import KeyPair
from inzira.crypto.verifier_pool import Verifier
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.apply import Prepared
from inzira.ledger.block import Block, BlockHeader, BuiltBlock, build_block
from inzira.ledger.chain import ChainError, Replayer
from inzira.ledger.context import TxResult
from inzira.ledger.records import Account, PendingTransfer
from inzira.ledger.encoding import encode
from inzira.ledger.invariants import InvariantError
from inzira.ledger.state import State
from inzira.ledger.state_rows import K_ACCOUNT, K_PENDING, refs_added, without_refs
from inzira.node.feed import BlockEvent, Feed, TxEvent
from inzira.node.reader import DB_FILE, GENESIS_FILE, ChainReader, StoredTx, load_genesis
from inzira.node.store import Store, Tip, TxLocation


class NodeError(RuntimeError):
    """The node cannot go on (a broken invariant, a storage failure): it stops taking traffic."""


# Called on the committing thread once a block is durable: header, block hash, transactions, verdicts.
CommitHook = Callable[[BlockHeader, bytes, Sequence[Prepared], Sequence[TxResult]], None]


class Node:
    def __init__(self, data_dir: Path, verifier: Verifier | None = None) -> None:
        self.data_dir = data_dir
        self.genesis = load_genesis(data_dir)
        self.chain_id = self.genesis.chain_id
        self.verifier = verifier or Verifier()
        self.store = Store(data_dir / DB_FILE)
        self.reader = ChainReader(data_dir, self.store)
        self.feed = Feed()
        self.failed: str | None = None
        self.commit_hooks: list[CommitHook] = []
        self._open_state()

    def _open_state(self) -> None:
        stored_chain = self.store.get_meta("chain_id")
        if stored_chain is None:
            state = State.from_genesis(self.genesis)
            self.store.initialize(self.chain_id, genesis_mod.dumps(self.genesis), without_refs(state.rows()),
                                  state.state_hash)
            self.state = state
            self.tip = Tip(0, self.chain_id, state.state_hash, state.timestamp_ms)
            return
        if stored_chain != self.chain_id:
            raise NodeError(f"{self.data_dir / DB_FILE} belongs to another network than {GENESIS_FILE}")
        tip = self.store.tip()
        state_hash = self.store.get_meta("state_hash") or b""
        if tip is None:
            self.state = State.from_rows(self.chain_id, self.store.state_rows(), 0, state_hash,
                                         self.genesis.created_at_ms)
            self.tip = Tip(0, self.chain_id, state_hash, self.genesis.created_at_ms)
            return
        header = self.header(tip.height)
        if header.state_hash != state_hash:
            raise NodeError(f"stored state does not match block {tip.height}: run inzira chain verify")
        self.state = State.from_rows(self.chain_id, self.store.state_rows(), tip.height, state_hash, tip.timestamp_ms)
        self.state.restore_refs(self.store.live_refs(tip.timestamp_ms))
        self.tip = tip

    @property
    def height(self) -> int:
        """The height of the last stored block. ``state.height`` runs ahead while a block is applied and
        written; a reader told this height finds its block in the store."""
        return self.tip.height

    @property
    def block_hash(self) -> bytes:
        """The hash of the last stored block (the chain id before the first): the next block's previous hash."""
        return self.tip.block_hash

    # --- the two ways a block arrives ---

    def commit_local(self, items: Sequence[Prepared], timestamp_ms: int, orderer: str, orderer_key: KeyPair,
                     source_first: int = 0, source_last: int = 0) -> BuiltBlock:
        """Build, sign and store the next block from transactions whose signatures were checked."""
        built = self.build(items, timestamp_ms, orderer, orderer_key, source_first, source_last)
        self.store_built(built, items)
        return built

    def build(self, items: Sequence[Prepared], timestamp_ms: int, orderer: str, orderer_key: KeyPair,
              source_first: int = 0, source_last: int = 0) -> BuiltBlock:
        """Apply and sign the next block on the in-memory state only; ``store_built`` or ``reload`` must follow."""
        self._check_alive()
        height = self.state.height + 1
        try:
            return build_block(self.state, self.block_hash, max(timestamp_ms, self.state.timestamp_ms), items,
                               orderer, orderer_key, source_first, source_last)
        except InvariantError as exc:
            self.failed = f"block {height}: invariant broken: {exc}"
            raise NodeError(self.failed) from exc
        except Exception as exc:
            self.failed = f"block {height}: {exc}"
            raise NodeError(self.failed) from exc

    def store_built(self, built: BuiltBlock, items: Sequence[Prepared],
                    meta: Sequence[tuple[str, bytes]] = (), log_ts_ms: int = 0) -> None:
        """Store a block made by ``build`` (with extra ``meta`` rows in the same transaction and the ordering
        log's time for it), then announce it."""
        try:
            self._store(built.header, built.hash, built.encoded, items, built.results, built.write_set, meta,
                        built.pruned, log_ts_ms)
        except Exception as exc:
            self.failed = f"block {built.header.height}: {exc}"
            raise NodeError(self.failed) from exc
        self._committed(built.header, built.hash, items, built.results, built.expired)

    def apply_remote(self, data: bytes, meta: Sequence[tuple[str, bytes]] = (), log_ts_ms: int = 0) -> BlockHeader:
        """Verify and replay a block from the ordering service, then store it (with extra ``meta`` rows).
        ``log_ts_ms`` is the ordering log's own time for the entry (0 when none): the block's time is checked
        against it, and kept with the block so audits check it again.

        Raises ChainError if the block is bad; the node is then as it was before the call. Raises NodeError
        (and stops) when replaying broke an invariant.
        """
        self._check_alive()
        height_before = self.state.height
        replayer = Replayer(self.genesis, self.verifier.verify_many, self.state, self.block_hash)
        try:
            block, header = replayer.apply_encoded(height_before + 1, data, log_ts_ms)
        except ChainError:
            if self.state.height != height_before or self.state.dirty:
                self.reload()  # the replay failed after changing the state: back to the last stored block
            raise
        except InvariantError as exc:
            self.failed = f"block {height_before + 1}: invariant broken: {exc}"
            raise NodeError(self.failed) from exc
        # Replay mutated the state: from here a storage failure leaves the node unusable, as it should.
        items = replayer.last_items
        try:
            self._store(header, replayer.prev_hash, data, items, list(block.results), replayer.last_write_set, meta,
                        replayer.last_pruned, log_ts_ms)
        except Exception as exc:
            self.failed = f"block {header.height}: {exc}"
            raise NodeError(self.failed) from exc
        self._committed(header, replayer.prev_hash, items, list(block.results), replayer.last_expired)
        return header

    def reload(self) -> None:
        """Discard the in-memory state and load it again from the store: the last durable block."""
        self._open_state()

    def _committed(self, header: BlockHeader, block_hash: bytes, items: Sequence[Prepared],
                   results: Sequence[TxResult], expired: Sequence[bytes]) -> None:
        for hook in self.commit_hooks:
            hook(header, block_hash, items, results)
        self._publish(header, block_hash, items, results, expired)

    def _store(self, header: BlockHeader, block_hash: bytes, encoded: bytes, items: Sequence[Prepared],
               results: Sequence[TxResult], write_set: list, meta: Sequence[tuple[str, bytes]],
               pruned: Sequence[PendingTransfer], log_ts_ms: int) -> None:
        # Client references live in the transaction index (one row per transaction anyway), not as state
        # rows: that saves an insert and a delete per transaction. Only a transaction that spent its id gets
        # a row: a copy that failed authentication must not stand in the way of the real one.
        refs = refs_added(write_set)
        tx_rows = [(p.tx_id, header.height, i, r.code, r.at, *refs[p.tx_id])
                   for i, (p, r) in enumerate(zip(items, results)) if p.spent]
        self.store.commit_block(header.height, block_hash, header.timestamp_ms, header.tx_count, encoded, tx_rows,
                                without_refs(write_set), header.state_hash, meta, log_ts_ms,
                                [(p.id, encode(p)) for p in pruned])
        # One assignment of an immutable value: a reader on another thread sees the old tip or the new one whole.
        self.tip = Tip(header.height, block_hash, header.state_hash, header.timestamp_ms)

    def _publish(self, header: BlockHeader, block_hash: bytes, items: Sequence[Prepared],
                 results: Sequence[TxResult], expired: Sequence[bytes]) -> None:
        if not self.feed.subscribers:
            return  # nobody listens: do not build the events
        events = []
        for i, (p, r) in enumerate(zip(items, results)):
            body = p.body
            op = body.op if body is not None else None
            submitter = body.submitter if body is not None else ""
            events.append(TxEvent(p.tx_id, i, r.code, r.at, type(op).__name__ if op else "", submitter,
                                  body.ref if body else "", getattr(op, "memo", "")))
        self.feed.publish(BlockEvent(header.height, block_hash, header.timestamp_ms, tuple(events), tuple(expired)))

    def _check_alive(self) -> None:
        if self.failed:
            raise NodeError(f"node stopped: {self.failed}")

    # --- reads (any thread) ---

    def block(self, height: int) -> tuple[Block, list[bytes]] | None:
        return self.reader.block(height)

    def header(self, height: int) -> BlockHeader:
        return self.reader.header(height)[0]

    def tx(self, tx_id: bytes) -> StoredTx | None:
        return self.reader.tx(tx_id)

    def locate(self, tx_ids: Sequence[bytes]) -> dict[bytes, TxLocation]:
        return self.store.known_ids(tx_ids)

    def receipt(self, tx_id: bytes) -> dict[str, Any] | None:
        return self.reader.receipt(tx_id)

    def account(self, account_id: str) -> Account | None:
        """The committed record of an account (from storage: never a block still being written)."""
        value = self.store.state_value(K_ACCOUNT + account_id.encode())
        return None if value is None else msgspec.msgpack.decode(value, type=Account)

    def pending(self, pending_id: bytes) -> PendingTransfer | None:
        """A pending transfer, from the state or, once resolved long enough to be pruned, from the archive."""
        value = self.store.state_value(K_PENDING + pending_id) or self.store.pruned_pending(pending_id)
        return None if value is None else msgspec.msgpack.decode(value, type=PendingTransfer)

    def accounts(self, owner: str | None = None, limit: int = 500) -> list[Account]:
        prefix = K_ACCOUNT + (f"{owner}:".encode() if owner else b"")
        return [msgspec.msgpack.decode(v, type=Account) for v in self.store.state_values(prefix, limit)]

    def close(self) -> None:
        self.verifier.close()
        self.store.close()

