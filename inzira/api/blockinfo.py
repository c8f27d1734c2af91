"""Blocks as the API shows them: header, hash, and each transaction's facts and verdict.

Working out who a transaction concerns means decoding it, so each block is summarized once and kept in a
small LRU shared by block pages, transaction reads and every event stream. Calls read the store: run them
in a worker thread, never on the event loop.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from inzira.api.visibility import Caller, TxFacts, may_see, tx_facts
from inzira.ledger.block import BlockHeader, block_hash, decode_header
from inzira.ledger.codes import describe
from inzira.ledger.context import TxResult
from inzira.node.node import Node

BLOCK_INFO_CACHE_MAX = 128


@dataclass(frozen=True, slots=True)
class TxLine:
    facts: TxFacts
    index: int
    result: TxResult


@dataclass(frozen=True, slots=True)
class BlockInfo:
    header: BlockHeader
    hash: bytes
    signature: bytes
    txs: tuple[TxLine, ...]


class BlockIndex:
    def __init__(self, node: Node, cache_max: int = BLOCK_INFO_CACHE_MAX) -> None:
        self.node = node
        self.cache_max = cache_max
        self._cache: OrderedDict[int, BlockInfo] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, height: int) -> BlockInfo | None:
        """The block at ``height`` if it is stored (a block being written is not yet)."""
        with self._lock:
            hit = self._cache.get(height)
            if hit is not None:
                self._cache.move_to_end(height)
                return hit
        found = self.node.block(height)
        if found is None:
            return None
        block = found[0]
        key_owner = self.node.state.key_owner
        lines = tuple(
            TxLine(tx_facts(raw, key_owner, self.node.pending), i, result)
            for i, (raw, result) in enumerate(zip(block.txs, block.results))
        )
        info = BlockInfo(decode_header(block.signed.header), block_hash(block.signed.header), block.signed.sig,
                         lines)
        with self._lock:
            self._cache[height] = info
            while len(self._cache) > self.cache_max:
                self._cache.popitem(last=False)
        return info


def tx_line_view(line: TxLine, caller: Caller) -> dict[str, Any]:
    """A block's transaction as the caller may see it: in full, or only its id and verdict."""
    view: dict[str, Any] = {
        "index": line.index,
        "tx_id": line.facts.tx_id.hex() or None,
        "code": line.result.code,
        "description": describe(line.result.code),
    }
    if may_see(caller, line.facts.involvement):
        view.update(visible=True, kind=line.facts.kind, submitter=line.facts.submitter, at=line.result.at)
    else:
        view["visible"] = False
    return view
