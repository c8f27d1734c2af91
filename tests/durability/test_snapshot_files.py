"""A peer's own snapshots after a kill or a power cut: the next start serves none that is torn and leaves no
temporary file behind."""

from __future__ import annotations

import time
from pathlib import Path

import msgspec

from inzira.network.layout import NetworkSettings, create_network, write_peer_config
from inzira.peer import snapshots
from inzira.peer.service import Peer

NATS_UNUSED = ["nats://127.0.0.1:1"]  # the peer is built, never started: it connects to nothing


def _peer_folder(tmp_path: Path) -> Path:
    manifest = create_network(tmp_path, ["cbr"], NetworkSettings(), time.time_ns() // 1_000_000 - 1_000)
    return write_peer_config(tmp_path, manifest, "cbr", NATS_UNUSED, quorum=1)


def _snapshot(peer: Peer, height: int) -> bytes:
    data, _ = snapshots.take(peer.node.state, b"block", 0, 0)
    decoded = snapshots.decode(data)
    assert decoded is not None
    return msgspec.msgpack.encode(msgspec.structs.replace(decoded, height=height))


def test_a_torn_snapshot_and_leftover_temporary_files_are_gone_at_the_next_start(tmp_path: Path) -> None:
    folder = _peer_folder(tmp_path)
    peer = Peer(folder)
    try:
        whole = _snapshot(peer, 5)
        peer.snapshot_files.save(5, whole)
        torn = _snapshot(peer, 10)
    finally:
        peer.stop()
    kept = peer.snapshot_files.folder
    # A power cut while the snapshot of height 10 was written (its name on disk, half its bytes), and kills
    # while others were (temporary files, as this and earlier versions named them).
    peer.snapshot_files.path(10).write_bytes(torn[: len(torn) // 2])
    (kept / "000000000015.tmp").write_bytes(torn[:7])
    (kept / "000000000015.snap.tmp").write_bytes(torn[:7])
    again = Peer(folder)
    try:
        assert again.snapshot_files.heights() == [5]
        assert again.snapshot_files.read(10) is None  # what GET /v1/peer/snapshots/10 serves: a 404
        assert again.snapshot_files.read(5) == whole
        assert sorted(p.name for p in kept.iterdir()) == ["000000000005.snap"]
    finally:
        again.stop()


def test_a_snapshot_is_synced_before_its_rename_and_its_folder_after(tmp_path: Path,
                                                                     kernel_calls: list[str]) -> None:
    peer = Peer(_peer_folder(tmp_path))
    try:
        whole = _snapshot(peer, 5)
        kernel_calls.clear()
        peer.snapshot_files.save(5, whole)
        # The first also syncs the parent of the snapshots folder it makes. Before: only the rename.
        assert kernel_calls[-3:] == ["sync file", "rename", "sync folder"]
        assert peer.snapshot_files.read(5) == whole
    finally:
        peer.stop()
