"""The height readers see is the last stored block's: a reader told a height finds that block in the store.

The state's own height moves while a block is applied, before the block is written. Each test looks at the
node from inside the store's write path (SQLite's statement trace on the node's writer connection, at the
COMMIT of every block) and from a reader thread, both ways a block arrives: the solo orderer's
``commit_local`` and a follower's ``apply_remote``.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from inzira.demo.setup import create_demo_network
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from inzira.node.node import Node
from inzira.node.reader import GENESIS_FILE
from tests.hosted import Hosted as Embedded

BLOCKS = 40  # one transaction each: every one its own block
READS_MAX = 200_000  # the reader thread's bound, far above what it does while the blocks are written
RESULT_TIMEOUT_S = 30.0


def _watch_commits(node: Node) -> list[tuple[int, int, bool]]:
    """At every COMMIT on the node's writer connection (the block is written, not yet visible): the state's
    height, the height readers are told, and whether the store already holds the block at that height."""
    seen: list[tuple[int, int, bool]] = []

    def traced(sql: str) -> None:
        if sql.strip().upper().startswith("COMMIT"):
            told = node.height
            seen.append((node.state.height, told, told == 0 or node.store.block(told) is not None))

    node.store._writer.set_trace_callback(traced)
    return seen


def _poll(node: Node, stop: threading.Event, missing: list[int]) -> None:
    """Read the height and at once the block at that height, as a client of /health and /v1/blocks does."""
    for _ in range(READS_MAX):
        if stop.is_set():
            return
        height = node.height
        if height and node.block(height) is None:
            missing.append(height)


def _make_blocks(net: Embedded) -> None:
    assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == Code.OK
    assert net.execute("eurosend", OpenAccount("eurosend:b", "EUR")).code == Code.OK
    assert net.execute("sbk", Issue("eurosend:eur", 1_000_000, "EUR")).code == Code.OK
    for i in range(BLOCKS):
        op = Transfer((Leg("eurosend:eur", "eurosend:b", 1 + i, "EUR"),))
        assert net.execute("eurosend", op, timeout_s=RESULT_TIMEOUT_S).code == Code.OK


def test_the_solo_orderers_height_names_only_stored_blocks(tmp_path: Path) -> None:
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Embedded(tmp_path, block_interval_ms=1) as net:
        commits = _watch_commits(net.node)
        stop, missing = threading.Event(), []
        reader = threading.Thread(target=_poll, args=(net.node, stop, missing), daemon=True)
        reader.start()
        try:
            _make_blocks(net)
        finally:
            stop.set()
            reader.join(timeout=RESULT_TIMEOUT_S)
        assert not reader.is_alive()
        tip = net.node.height
        assert tip == net.node.state.height and net.node.block(tip) is not None
    assert len(commits) >= BLOCKS
    # While block N is being written the state already stands at N, but readers are told N - 1, stored.
    assert all(told == applied - 1 and stored for applied, told, stored in commits), commits
    assert missing == []


def test_a_followers_height_names_only_stored_blocks(tmp_path: Path) -> None:
    source, follower_dir = tmp_path / "source", tmp_path / "follower"
    source.mkdir()
    follower_dir.mkdir()
    create_demo_network(source, int(time.time() * 1000) - 1000)
    shutil.copy(source / GENESIS_FILE, follower_dir / GENESIS_FILE)
    with Embedded(source, block_interval_ms=1) as net:
        _make_blocks(net)
        blocks = [(h, net.node.store.block(h), net.node.store.block_log_ts(h)) for h in range(1, net.node.height + 1)]
    follower = Node(follower_dir)
    try:
        commits = _watch_commits(follower)
        stop, missing = threading.Event(), []
        reader = threading.Thread(target=_poll, args=(follower, stop, missing), daemon=True)
        reader.start()
        try:
            for height, data, log_ts_ms in blocks:
                assert data is not None
                assert follower.apply_remote(data, log_ts_ms=log_ts_ms).height == height
        finally:
            stop.set()
            reader.join(timeout=RESULT_TIMEOUT_S)
        assert not reader.is_alive()
        assert follower.height == len(blocks) and follower.block_hash == net.node.block_hash
    finally:
        follower.close()
    assert len(commits) == len(blocks)
    assert all(told == applied - 1 and stored for applied, told, stored in commits), commits
    assert missing == []
