"""Blocks: a signed header over the RFC 6962 root of (transaction, verdict) leaves and the state hash.

Invalid transactions stay in the block with their code, so every peer that replays the block reaches the
same verdicts, and a receipt can prove a rejection as well as a success.
"""

from __future__ import annotations

from typing import Sequence

import msgspec

from inzira.crypto import Hasher, KeyPair, verify
from inzira.ledger import merkle
from inzira.ledger.apply import Prepared, apply_block
from inzira.ledger.context import TxResult
from inzira.ledger.encoding import CanonicalDecoder, encode
from inzira.ledger.records import PendingTransfer
from inzira.ledger.state import State
from inzira.ledger.state_rows import WriteSet

BLOCK_VERSION = 1
BLOCK_TXS_MAX = 10_000

block_hash_fn = Hasher("inzira/block")
raw_tx_hash = Hasher("inzira/txbytes")


class BlockHeader(msgspec.Struct, frozen=True, array_like=True, gc=False):
    version: int
    chain_id: bytes
    height: int
    prev_hash: bytes  # the previous block's hash; the chain id for block 1
    timestamp_ms: int  # the only clock the ledger knows
    tx_count: int
    tx_root: bytes  # RFC 6962 root of the leaves (transaction bytes, verdict)
    state_hash: bytes  # chained commitment to every state change up to this block
    orderer: str
    source_first: int = 0  # range of the ordering log this block covers (JetStream), 0 when solo
    source_last: int = 0


class SignedHeader(msgspec.Struct, frozen=True, array_like=True, gc=False):
    header: bytes  # canonical BlockHeader
    sig: bytes  # the orderer's signature over the block hash


class Block(msgspec.Struct, frozen=True, array_like=True, gc=False):
    signed: SignedHeader
    txs: tuple[bytes, ...]
    results: tuple[TxResult, ...]


decode_header = CanonicalDecoder(BlockHeader)
decode_block = CanonicalDecoder(Block)


def block_hash(header_bytes: bytes) -> bytes:
    return block_hash_fn(header_bytes)


def leaf_data(raw_tx: bytes, result: TxResult) -> bytes:
    return encode((raw_tx_hash(raw_tx), result.code, result.at))


def leaf_hashes(txs: Sequence[bytes], results: Sequence[TxResult]) -> list[bytes]:
    return [merkle.leaf_hash(leaf_data(raw, result)) for raw, result in zip(txs, results)]


class BuiltBlock(msgspec.Struct, frozen=True):
    block: Block
    header: BlockHeader
    hash: bytes
    encoded: bytes
    write_set: WriteSet
    results: list[TxResult]
    expired: list[bytes]  # pending transfers that expired at this block
    pruned: list[PendingTransfer]  # resolved pending transfers this block dropped from the state


def build_block(
    state: State,
    prev_hash: bytes,
    timestamp_ms: int,
    items: Sequence[Prepared],
    orderer: str,
    orderer_key: KeyPair,
    source_first: int = 0,
    source_last: int = 0,
) -> BuiltBlock:
    """Apply ``items`` (signatures already verified) on ``state`` and seal them into a signed block."""
    if len(items) > BLOCK_TXS_MAX:
        raise ValueError(f"a block holds at most {BLOCK_TXS_MAX} transactions")
    height = state.height + 1
    results, write_set, expired = apply_block(state, height, timestamp_ms, items)
    txs = tuple(p.raw for p in items)
    header = BlockHeader(
        BLOCK_VERSION, state.chain_id, height, prev_hash, timestamp_ms, len(txs),
        merkle.root_of_hashes(leaf_hashes(txs, results)), state.state_hash, orderer, source_first, source_last,
    )
    header_bytes = encode(header)
    digest = block_hash(header_bytes)
    block = Block(SignedHeader(header_bytes, orderer_key.sign(digest)), txs, tuple(results))
    return BuiltBlock(block, header, digest, encode(block), write_set, results, expired, state.pruned)


def check_signed_header(signed: SignedHeader, orderer_keys: dict[str, bytes]) -> tuple[BlockHeader | None, str]:
    """Decode a header and check the orderer's signature; (header, "") or (None, reason)."""
    try:
        header = decode_header(signed.header)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return None, f"header does not decode: {exc}"
    key = orderer_keys.get(header.orderer)
    if key is None:
        return None, f"orderer {header.orderer!r} is not in the genesis"
    if not verify(key, block_hash(signed.header), signed.sig):
        return None, "orderer signature does not verify"
    return header, ""


def check_block_shape(block: Block, header: BlockHeader) -> str:
    """What a peer checks before replaying: counts and the Merkle root. Returns a reason or ""."""
    if header.version != BLOCK_VERSION:
        return f"unknown block version {header.version}"
    if not (header.tx_count == len(block.txs) == len(block.results)):
        return "transaction count differs from the header"
    if header.tx_count > BLOCK_TXS_MAX:
        return "too many transactions"
    root = merkle.root_of_hashes(leaf_hashes(block.txs, block.results))
    if root != header.tx_root:
        return "Merkle root of the transactions differs from the header"
    return ""
