"""Snapshots: a peer's whole state at a height, for peers that cannot replay from the ordering log.

Every peer takes one at the heights that are multiples of ``snapshot_every_blocks``: the state's rows and
the block of that height, in a file, and the digest of the rows in a signed snapshot checkpoint. A peer
catching up after the blocks stream dropped what it needs takes a snapshot from any peer and trusts it only
if the block's orderer signature holds and a quorum of peers signed the same block, state hash and digest.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

import msgspec

from inzira.decoding import refusing_depth
from inzira.durable_files import make_folder, remove_leftovers, sync_folder, write_durable
from inzira.ledger.block import Block, BlockHeader, block_hash, check_signed_header, decode_block
from inzira.ledger.encoding import encode
from inzira.ledger.genesis import Genesis
from inzira.ledger.records import RefEntry
from inzira.ledger.state import State, full_state_hash
from inzira.ledger.state_rows import K_REF

SNAPSHOT_FORMAT = "inzira-snapshot/1"
SNAPSHOT_BYTES_MAX = 1024**3
SNAPSHOT_SUFFIX = ".snap"

_decode_ref = msgspec.msgpack.Decoder(RefEntry).decode
log = logging.getLogger(__name__)


class Snapshot(msgspec.Struct, frozen=True, array_like=True):
    format: str
    chain_id: bytes
    height: int
    blocks_seq: int  # the blocks-stream entry of the block: a peer installing it follows on from there
    block: bytes  # the encoded block at ``height``
    log_ts_ms: int  # the ordering log's time for that block's entry (kept with the block, for audits)
    rows: tuple[tuple[bytes, bytes], ...]  # State.rows(), client references included, sorted by key


class _Undecoded(msgspec.Struct, frozen=True, array_like=True):
    """A snapshot with its rows left as bytes: their digest is checked before any row becomes an object."""

    format: str
    chain_id: bytes
    height: int
    blocks_seq: int
    block: bytes
    log_ts_ms: int
    rows: msgspec.Raw


_decode_snapshot = refusing_depth(msgspec.msgpack.Decoder(Snapshot).decode)  # any peer's file
_decode_undecoded = refusing_depth(msgspec.msgpack.Decoder(_Undecoded).decode)


def rows_digest(rows: tuple[tuple[bytes, bytes], ...] | list[tuple[bytes, bytes]]) -> bytes:
    """The digest of a whole state (``State.digest``), from its rows."""
    return full_state_hash(encode(rows))


def take(state: State, block: bytes, blocks_seq: int, log_ts_ms: int) -> tuple[bytes, bytes]:
    """(encoded snapshot, digest) of ``state`` just after it applied ``block``."""
    rows = tuple(state.rows())
    snapshot = Snapshot(SNAPSHOT_FORMAT, state.chain_id, state.height, blocks_seq, block, log_ts_ms, rows)
    return msgspec.msgpack.encode(snapshot), rows_digest(rows)


def decode(data: bytes, digest: bytes | None = None) -> Snapshot | None:
    """The snapshot, or None; with ``digest`` (the one a quorum signed), None unless its rows hash to it.

    The rows are hashed as the bytes they came in (the digest is over their canonical encoding) before they
    are decoded: decoded, each row is a tuple of two bytes objects, so a lying provider's file of tiny rows
    took about 30 times its size in memory before the digest check refused it."""
    if len(data) > SNAPSHOT_BYTES_MAX:
        return None
    try:
        if digest is not None:
            undecoded = _decode_undecoded(data)
            if undecoded.format != SNAPSHOT_FORMAT or full_state_hash(undecoded.rows) != digest:
                return None
        snapshot = _decode_snapshot(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return snapshot if snapshot.format == SNAPSHOT_FORMAT else None


def check(snapshot: Snapshot, genesis: Genesis, block_hash_agreed: bytes, state_hash_agreed: bytes,
          digest_agreed: bytes) -> tuple[Block, BlockHeader] | str:
    """The snapshot's block and header if it is what the quorum signed, else why not."""
    if snapshot.chain_id != genesis.chain_id:
        return "the snapshot belongs to another network"
    try:
        block = decode_block(snapshot.block)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return f"its block does not decode: {exc}"
    header, reason = check_signed_header(block.signed, genesis.orderer_keys())
    if header is None:
        return f"its block: {reason}"
    if header.chain_id != genesis.chain_id or header.height != snapshot.height:
        return "its block is not the block of the snapshot's height on this network"
    if block_hash(block.signed.header) != block_hash_agreed or header.state_hash != state_hash_agreed:
        return "its block is not the one the quorum of peers signed"
    if rows_digest(snapshot.rows) != digest_agreed:
        return "its state digest is not the one the quorum of peers signed"
    return block, header


Rows = list[tuple[bytes, bytes]]
Refs = list[tuple[bytes, bytes, int]]  # (reference key, tx id, deadline)


def split_rows(rows: tuple[tuple[bytes, bytes], ...]) -> tuple[Rows, Refs]:
    """(state rows as a node stores them, client references as (reference key, tx id, deadline))."""
    state_rows: list[tuple[bytes, bytes]] = []
    refs: list[tuple[bytes, bytes, int]] = []
    for key, value in rows:
        if key[:1] == K_REF:
            entry = _decode_ref(value)
            refs.append((key[1:], entry.tx_id, entry.expires_at_ms))
        else:
            state_rows.append((key, value))
    return state_rows, refs


class SnapshotFiles:
    """A peer's own snapshots on disk, the newest ``kept`` of them.

    Each is written whole or not at all (``durable_files``). Opening the folder, at the peer's start, removes
    what a kill or a power cut left: temporary files, and any snapshot that does not decode as the one of its
    height on this network (a file written before snapshots were synced), so that none is served."""

    def __init__(self, folder: Path, kept: int, chain_id: bytes) -> None:
        self.folder = folder
        self.kept = kept
        self.chain_id = chain_id
        self._tidy()

    def _tidy(self) -> None:
        removed = remove_leftovers(self.folder)
        if removed:
            log.warning("removed %d unfinished snapshot file(s) from %s", removed, self.folder)
        for height in self.heights():
            path = self.path(height)
            snapshot = decode(path.read_bytes()) if path.stat().st_size <= SNAPSHOT_BYTES_MAX else None
            if snapshot is None or snapshot.height != height or snapshot.chain_id != self.chain_id:
                log.warning("removed %s: not a whole snapshot of height %d on this network", path, height)
                path.unlink(missing_ok=True)
                sync_folder(self.folder)

    def path(self, height: int) -> Path:
        return self.folder / f"{height:012d}{SNAPSHOT_SUFFIX}"

    def heights(self) -> list[int]:
        if not self.folder.exists():
            return []
        return sorted(int(p.name[: -len(SNAPSHOT_SUFFIX)]) for p in self.folder.glob(f"*{SNAPSHOT_SUFFIX}")
                      if p.name[: -len(SNAPSHOT_SUFFIX)].isdigit())

    def save(self, height: int, data: bytes) -> None:
        make_folder(self.folder)
        write_durable(self.path(height), data)
        for old in self.heights()[: -self.kept]:
            self.path(old).unlink(missing_ok=True)

    def read(self, height: int) -> bytes | None:
        path = self.path(height)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def open(self, height: int) -> BinaryIO | None:
        """The snapshot of ``height``, open for reading (it stays readable if a newer one removes it meanwhile)."""
        try:
            return self.path(height).open("rb")
        except FileNotFoundError:
            return None
