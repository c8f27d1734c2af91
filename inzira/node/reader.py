"""Reading a peer's chain from its data folder: blocks, transactions and receipts.

Used by the node itself and by tools (``inzira receipt export``, ``inzira chain show``) that must not
load the whole state just to read one block.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inzira.ledger import genesis as genesis_mod
from inzira.ledger import merkle
from inzira.ledger.block import Block, BlockHeader, block_hash, decode_block, decode_header, leaf_hashes
from inzira.ledger.context import TxResult
from inzira.ledger.genesis import Genesis
from inzira.ledger.receipt import make_receipt
from inzira.node.store import Store, TxLocation

GENESIS_FILE = "genesis.json"
DB_FILE = "node.db"
BLOCK_CACHE_MAX = 64


def load_genesis(data_dir: Path) -> Genesis:
    path = data_dir / GENESIS_FILE
    if not path.exists():
        raise FileNotFoundError(f"no {GENESIS_FILE} in {data_dir}: create a network first (inzira demo)")
    return genesis_mod.loads(path.read_bytes())


@dataclass(frozen=True, slots=True)
class StoredTx:
    tx_id: bytes
    raw: bytes
    result: TxResult
    height: int
    index: int
    timestamp_ms: int


class ChainReader:
    def __init__(self, data_dir: Path, store: Store | None = None) -> None:
        self.data_dir = data_dir
        self.genesis = load_genesis(data_dir)
        if store is None and not (data_dir / DB_FILE).exists():
            raise FileNotFoundError(f"no {DB_FILE} in {data_dir}: the node has never run there")
        self.store = store or Store(data_dir / DB_FILE)
        self._blocks: OrderedDict[int, tuple[Block, list[bytes]]] = OrderedDict()
        self._lock = threading.Lock()

    def block(self, height: int) -> tuple[Block, list[bytes]] | None:
        """A stored block, decoded, with its leaf hashes (kept in a small cache for receipts)."""
        with self._lock:
            hit = self._blocks.get(height)
            if hit is not None:
                self._blocks.move_to_end(height)
                return hit
        data = self.store.block(height)
        if data is None:
            return None
        block = decode_block(data)
        entry = (block, leaf_hashes(block.txs, block.results))
        with self._lock:
            self._blocks[height] = entry
            while len(self._blocks) > BLOCK_CACHE_MAX:
                self._blocks.popitem(last=False)
        return entry

    def header(self, height: int) -> tuple[BlockHeader, bytes]:
        """The decoded header of a stored block and its hash; KeyError when there is no such block."""
        found = self.block(height)
        if found is None:
            raise KeyError(height)
        signed = found[0].signed
        return decode_header(signed.header), block_hash(signed.header)

    def tx(self, tx_id: bytes) -> StoredTx | None:
        loc = self.store.tx_location(tx_id)
        found = self.block(loc.height) if loc else None
        if loc is None or found is None:
            return None
        block = found[0]
        header = decode_header(block.signed.header)
        return StoredTx(tx_id, block.txs[loc.index], block.results[loc.index], loc.height, loc.index,
                        header.timestamp_ms)

    def locate(self, tx_ids: list[bytes]) -> dict[bytes, TxLocation]:
        return self.store.known_ids(tx_ids)

    def receipt(self, tx_id: bytes) -> dict[str, Any] | None:
        loc = self.store.tx_location(tx_id)
        found = self.block(loc.height) if loc else None
        if loc is None or found is None:
            return None
        block, leaves = found
        header = decode_header(block.signed.header)
        path = merkle.inclusion_proof(leaves, loc.index)
        return make_receipt(self.genesis.network, block.signed, block.txs[loc.index], tx_id,
                            block.results[loc.index], loc.index, path, header.height, header.timestamp_ms)
