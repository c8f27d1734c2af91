"""The peer's parts on their own: batches, tickets, snapshots, signed peer requests, block gathering."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from inzira.crypto.keygen import generate_keypair
from inzira.demo.setup import create_demo_network
from inzira.ledger.apply import prepare
from inzira.ledger.block import raw_tx_hash
from inzira.ledger.codes import Code
from inzira.ledger.records import Account
from inzira.ledger.tx import OpenAccount
from tests.hosted import Hosted as Embedded
from inzira.node.signer import MemberSigner
from inzira.ordering.jetstream import LogEntry
from inzira.ordering.outcome import Busy
from inzira.peer import snapshots
from inzira.peer.checkpoints import CHECKPOINT_VERSION, Checkpoint, open_checkpoint, sign_checkpoint
from inzira.peer.cutter import Cutter, CutterSettings
from inzira.peer.inflight import EXPIRY_GRACE_MS, Inflight
from inzira.peer.peer_auth import check_request, sign_request
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX, batch_id, decode_batch, encode_batch
from inzira.tasks import end_tasks

PEER_TASK_SLEEP_S = 10.0  # a task's wait, far longer than the test
END_WITHIN_S = 10.0


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_batches_round_trip_and_garbage_is_skipped() -> None:
    raws = [b"tx-1", b"tx-2"]
    assert decode_batch(encode_batch(raws)) == tuple(raws)
    assert decode_batch(b"\x93not a batch") == ()
    assert decode_batch(msgspec.msgpack.encode([9, [b"x"]])) == ()  # unknown version
    assert batch_id([b"a" * 32]) == b"a" * 32
    assert batch_id([b"a" * 32, b"b" * 32]) not in (b"a" * 32, b"b" * 32)
    with pytest.raises(ValueError):
        encode_batch([b"x"] * (TX_BATCH_TXS_MAX + 1))


NESTED = b"\x91" * 5_000 + b"\x90"  # msgpack: 5,000 arrays nested in 5 KB, past msgspec's depth


def test_bytes_nested_past_the_decoders_depth_are_garbage_not_a_recursion_error() -> None:
    """msgspec skips an item past a struct's fields recursively, so 5 KB raised RecursionError: out of the
    cutter (a member's message), out of every peer's ledger thread (a transaction in a block), out of the
    snapshot download (any peer's file) and out of reading the checkpoints stream (any member's message)."""
    assert decode_batch(b"\x93\x01\x90" + NESTED) == ()
    assert prepare(b"\x93\xc4\x00\x90" + NESTED).code == Code.MALFORMED
    assert snapshots.decode(b"\x98\xa1x\xc4\x00\x00\x00\xc4\x00\x00\x90" + NESTED) is None


def test_a_snapshot_whose_format_is_not_utf8_is_not_a_snapshot() -> None:
    """msgspec raises UnicodeDecodeError, not DecodeError, on a msgpack string that is not UTF-8: a peer serving
    such a file raised it out of the snapshot download of the peer catching up, instead of being passed over."""
    assert snapshots.decode(b"\x97\xa2\xff\xfe\xc4\x00\x00\x00\xc4\x00\x00\x90") is None
    assert open_checkpoint(b"\x94\xc4\x00\xc4\x00\xc4\x00" + NESTED, b"c" * 32, {}) is None


class _Header:
    def __init__(self, height: int, timestamp_ms: int) -> None:
        self.height, self.timestamp_ms = height, timestamp_ms


class _Result:
    code, at = 0, -1


def test_tickets_resolve_with_their_block_and_expire_on_chain_time() -> None:
    inflight = Inflight(lambda ids: {}, capacity=2)  # a chain that spent none of these ids
    key = raw_tx_hash(b"")  # tickets are keyed by the hash of the transaction's exact bytes
    ticket, new = inflight.register(key, b"", expires_at_ms=1_000)
    assert new and inflight.register(key, b"", 1_000) == (ticket, False)
    late, _ = inflight.register(b"b", b"id-b", expires_at_ms=2_000)
    with pytest.raises(Busy):
        inflight.register(b"c", b"id-c", 3_000)
    item = prepare(b"")
    inflight.on_block(_Header(7, 500), b"", [item], [_Result()])  # type: ignore[arg-type, list-item]
    assert ticket.result(0).height == 7 and ticket.result(0).index == 0
    inflight.on_block(_Header(8, 2_000 + EXPIRY_GRACE_MS + 1), b"", [], [])  # type: ignore[arg-type]
    assert late.result(0).code == Code.EXPIRED and late.result(0).height == 0
    assert len(inflight) == 0


def test_a_snapshot_is_trusted_only_as_signed(tmp_path: Path) -> None:
    create_demo_network(tmp_path, now_ms() - 1_000)
    with Embedded(tmp_path, block_interval_ms=5) as net:
        assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == 0
        node = net.node
        block = node.store.block(node.height)
        assert block is not None
        data, digest = snapshots.take(node.state, block, 42, 0)
        genesis, block_hash, state_hash = node.genesis, node.block_hash, node.state.state_hash
    snapshot = snapshots.decode(data)
    assert snapshot is not None and snapshot.blocks_seq == 42
    assert not isinstance(snapshots.check(snapshot, genesis, block_hash, state_hash, digest), str)
    # A richer account slipped into the rows no longer matches the digest the quorum signed.
    rows = list(snapshot.rows)
    index = next(i for i, (k, _) in enumerate(rows) if k == b"Aeurosend:eur")
    account = msgspec.msgpack.decode(rows[index][1], type=Account)
    rows[index] = (rows[index][0], msgspec.msgpack.encode(msgspec.structs.replace(account, credits_posted=10**9)))
    forged = msgspec.structs.replace(snapshot, rows=tuple(rows))
    assert "digest" in snapshots.check(forged, genesis, block_hash, state_hash, digest)  # type: ignore[operator]
    assert "quorum" in snapshots.check(snapshot, genesis, b"x" * 32, state_hash, digest)  # type: ignore[operator]


def test_peer_requests_are_signed_by_a_member_and_fresh() -> None:
    key, chain = generate_keypair(), b"c" * 32
    keys = {"mobimo": (key.public_key,)}
    headers = sign_request(chain, "mobimo", key, "GET", "/v1/peer/snapshots/5", 1_000_000)
    assert check_request(headers, chain, keys, "GET", "/v1/peer/snapshots/5", 1_000_500) == ("mobimo", "")
    assert check_request(headers, chain, keys, "GET", "/v1/peer/snapshots/6", 1_000_500)[0] is None
    assert check_request(headers, chain, keys, "GET", "/v1/peer/snapshots/5", 1_200_000)[0] is None
    assert check_request(headers, chain, {"mobimo": (generate_keypair().public_key,)}, "GET",
                         "/v1/peer/snapshots/5", 1_000_500)[0] is None
    assert check_request({}, chain, keys, "GET", "/v1/peer/snapshots/5", 1_000_500)[0] is None


def test_a_checkpoint_names_where_to_fetch_snapshots_as_an_http_url_of_bounded_length() -> None:
    """Another member's checkpoint says where its peer serves snapshots; peers catching up call that URL."""
    key, chain = generate_keypair(), b"c" * 32
    keys = {"mobimo": (key.public_key,)}

    def opened(api_url: str) -> Checkpoint | None:
        checkpoint = Checkpoint(CHECKPOINT_VERSION, chain, "mobimo", 5, b"b" * 32, b"s" * 32, 5, 9, api_url=api_url)
        return open_checkpoint(sign_checkpoint(checkpoint, key), chain, keys)

    for fine in ("", "http://127.0.0.1:8080", "https://peer.mobimo.example/" + "p" * 150):
        assert opened(fine) is not None
    for crafted in ("file:///etc/passwd", "ftp://peer.example", "http://peer.example/" + "p" * 200):
        assert opened(crafted) is None


def test_a_block_takes_whole_messages_within_its_limits() -> None:
    signer = MemberSigner(b"c" * 32, "eurosend", generate_keypair())
    raws = [signer.sign(OpenAccount(f"eurosend:a{i}", "EUR")) for i in range(30)]
    entries = [LogEntry(10 + i, encode_batch(raws[i * 10 : i * 10 + 10]), 0) for i in range(3)]
    settings = CutterSettings("orderer-x", generate_keypair(), block_txs_max=25, block_interval_ms=10,
                              block_bytes_max=1024 * 1024)
    cutter = Cutter(None, None, None, None, settings)  # type: ignore[arg-type]
    first = cutter._fit(entries)
    assert (first.first_seq, first.last_seq, len(first.raws)) == (10, 11, 20)  # a third message would be 30 > 25
    assert [e.seq for e in cutter._carry] == [12]
    small = CutterSettings("orderer-x", generate_keypair(), block_txs_max=1_000, block_interval_ms=10,
                           block_bytes_max=4_096 + 3 * (len(raws[0]) + 40))
    cutter = Cutter(None, None, None, None, small)  # type: ignore[arg-type]
    # A message no block can hold is refused whole (logged and counted), never cut short; the next one fits.
    garbage = LogEntry(13, b"\x93not a batch", 0)
    one = LogEntry(14, encode_batch(raws[:1]), 0)
    refused = cutter._fit([entries[0], garbage, one])
    assert (refused.first_seq, refused.last_seq, refused.raws) == (10, 14, raws[:1])
    assert cutter.refused_messages == 2 and not cutter._carry


def test_the_peer_process_refuses_a_folder_that_is_not_a_peer_folder_cleanly(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "inzira.peer", *args], capture_output=True, text=True,
                              timeout=60)

    missing = run(str(tmp_path / "none"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr, missing.stderr
    assert "cannot start the peer" in missing.stderr and "not a peer folder" in missing.stderr
    helped = run("--help")
    assert helped.returncode == 0 and "usage: python -m inzira.peer PEER_FOLDER" in helped.stderr
    assert not (Path.cwd() / "--help").exists()


def test_a_peer_task_that_lost_its_cancellation_is_cancelled_again_and_the_stop_ends(
        caplog: pytest.LogCaptureFixture) -> None:
    """A task looping on after one cancellation (as the follower did, once Python 3.11's ``wait_for`` swallowed
    it) held the peer's stop for ever: cancelled and waited for once, it never ended."""
    rounds: list[str] = []

    async def loses_one_cancellation() -> None:
        while True:
            try:
                await asyncio.sleep(PEER_TASK_SLEEP_S)
            except asyncio.CancelledError:
                rounds.append("cancelled")
                if len(rounds) > 1:
                    raise

    async def ended() -> float:
        tasks = [asyncio.ensure_future(loses_one_cancellation()), asyncio.ensure_future(asyncio.sleep(0))]
        tasks[0].set_name("follower")
        await asyncio.sleep(0)
        started = time.monotonic()
        await asyncio.wait_for(end_tasks(tasks), END_WITHIN_S)
        assert all(task.done() for task in tasks)
        return time.monotonic() - started

    assert asyncio.run(ended()) < END_WITHIN_S
    assert rounds == ["cancelled", "cancelled"]
    assert "still running after a cancellation: ['follower']" in caplog.text
