"""Auditing a data folder: replay its chain from the genesis and check every stored byte against it.

Besides the blocks themselves (signatures, hash chain, Merkle roots, verdicts, state hashes, invariants),
the derived tables are checked too: the transaction index and the persisted state rows must be exactly
what the replay produces, so a flipped byte anywhere is found and named.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from inzira.crypto.verifier_pool import Verifier
from inzira.ledger.block import BlockHeader, block_hash, decode_block, decode_header
from inzira.ledger.chain import ChainError, Replayer, verify_chain
from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.state_rows import refs_added, without_refs
from inzira.node.reader import DB_FILE, load_genesis
from inzira.node.store import Store

# height, index, code, at, reference key, reference deadline
IndexRow = tuple[int, int, int, int, bytes | None, int]


@dataclass(frozen=True, slots=True)
class AuditReport:
    height: int
    txs: int
    state_hash: bytes


def audit(data_dir: Path, on_block: Callable[[int, int], None] | None = None,
          verify_workers: int | None = None) -> AuditReport:
    """Replay and check everything; raise ChainError naming the first bad block."""
    genesis = load_genesis(data_dir)
    if not (data_dir / DB_FILE).exists():
        raise FileNotFoundError(f"no {DB_FILE} in {data_dir}")
    store = Store(data_dir / DB_FILE)
    verifier = Verifier(verify_workers)
    try:
        if store.get_meta("chain_id") != genesis.chain_id:
            raise ChainError(0, "the store belongs to another network than genesis.json")
        expected: dict[bytes, IndexRow] = {}
        txs = [0]

        def collect(height: int, header: BlockHeader, replayer: Replayer) -> None:
            # What the transaction index must say, learnt from the replay itself.
            # Exactly the transactions that spent their id are indexed, where they spent it.
            refs = refs_added(replayer.last_write_set)
            for i, p in enumerate(replayer.last_items):
                if p.spent:
                    result = replayer.last_results[i]
                    expected[p.tx_id] = (height, i, result.code, result.at, *refs[p.tx_id])
            txs[0] += header.tx_count
            if on_block is not None:
                on_block(height, header.tx_count)

        state = verify_chain(genesis, _checked_rows(store), verifier.verify_many, collect)
        _check_index(store, expected)
        if store.get_meta("state_hash") != state.state_hash:
            raise ChainError(state.height, "stored state hash differs from the replay")
        stored_rows = list(store.state_rows())
        replayed_rows = without_refs(state.rows())
        if stored_rows != replayed_rows:
            raise ChainError(state.height, _first_difference(stored_rows, replayed_rows))
        return AuditReport(state.height, txs[0], state.state_hash)
    finally:
        verifier.close()
        store.close()


def _checked_rows(store: Store) -> Iterator[tuple[int, bytes, int]]:
    """The stored blocks with their ordering-log times, after checking that each row's own columns agree
    with its signed header."""
    for height, stored_hash, timestamp_ms, tx_count, data, log_ts_ms in store.iter_block_rows(1):
        try:
            header_bytes = decode_block(data).signed.header
            header = decode_header(header_bytes)
        except (DecodeError, ValidationError) as exc:
            raise ChainError(height, f"stored block does not decode ({exc})") from exc
        if block_hash(header_bytes) != stored_hash:
            raise ChainError(height, "the stored block hash differs from the block's header")
        if (header.timestamp_ms, header.tx_count) != (timestamp_ms, tx_count):
            raise ChainError(height, "the stored time or transaction count differs from the block's header")
        yield height, data, log_ts_ms


def _check_index(store: Store, expected: dict[bytes, IndexRow]) -> None:
    """Every transaction id points at its first block, with that block's verdict and consumed reference."""
    for tx_id, *row in store.index_rows():
        want = expected.pop(tx_id, None)
        if want is None:
            raise ChainError(row[0], f"transaction index names {tx_id.hex()[:16]}, which is in no block")
        if want != tuple(row):
            raise ChainError(want[0], f"transaction index row of {tx_id.hex()[:16]} differs from the block")
    if expected:
        missing_id, (height, *_) = next(iter(expected.items()))
        raise ChainError(height, f"transaction {missing_id.hex()[:16]} is missing from the index")


def _first_difference(stored: list[tuple[bytes, bytes]], replayed: list[tuple[bytes, bytes]]) -> str:
    for a, b in zip(stored, replayed):
        if a != b:
            return f"stored state row {a[0]!r} differs from the replay"
    return f"stored state has {len(stored)} rows, the replay {len(replayed)}"
