"""Hostile members on the real network (peer processes on a real NATS cluster): poison straight into the
ordering log (transactions and blocks streams) leaves every peer alive and committing, a re-signed copy
blocks nothing, a cutter-eligible member's block claiming to cover transactions not yet published stops
nobody's payments (nor does one claiming less than the chain covered send cutters back), a member flooding
checkpoints gets only its share of the peers' signature checks, and a cutter whose clock runs ten minutes fast
cannot expire a pending transfer early."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
from nats.aio.client import Client as NATS
import pytest

from inzira.crypto.keygen import generate_keypair
from inzira.http import HttpProblem
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import (
    TX_VERSION,
    PostPending,
    Quote,
    Sig,
    SignedTx,
    Transfer,
    TxBody,
    decode_signed,
    sign_quote,
    tx_id_of,
)
from inzira.network.nats_cluster import NatsCluster
from inzira.node.reader import load_genesis
from inzira.ordering.jetstream import CheckpointLog
from inzira.ordering.jetstream.block_log import BlockLog
from inzira.ordering.jetstream.errors import BlockConflictError
from inzira.ordering.jetstream.tx_log import TxLog
from inzira.peer.checkpoints import CHECKPOINT_VERSION, Checkpoint, sign_checkpoint
from inzira.peer.tx_batch import TX_BATCH_TXS_MAX, TxBatch, encode_batch
from tests.network.helpers import CUTTERS, MEMBERS, Net, running_network, wait_until
from tests.network.on_the_log import append_signed_block, as_member

TEN_MINUTES_MS = 600_000


@pytest.fixture(scope="module")
def hostile_net(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[Net]:
    with running_network(Path(tmp_path_factory.mktemp("hostile")), nats_cluster, MEMBERS) as net:
        net.open_funded("eurosend", "eur", "EUR", 10**9, "sbk")
        net.open_funded("mobimo", "eur", "EUR", 0, "sbk")
        yield net


def _publish_raw(net: Net, member: str, payloads: list[bytes]) -> None:
    """Publish messages straight to the transactions stream, as a member's own systems could."""

    async def publish(nc: NATS) -> None:
        tx_log = TxLog(nc, net.local.ordering(), member=member)
        for i, payload in enumerate(payloads):
            await tx_log.publish_tx(hashlib.sha256(b"poison-%d" % i + payload).digest(), payload)

    as_member(net, member, publish)


def _problems(net: Net) -> dict[str, Any]:
    return {m: (s or {}).get("problem", "no answer") for m, s in net.statuses(MEMBERS).items()}


def test_poison_in_the_log_leaves_every_peer_alive_and_committing(hostile_net: Net) -> None:
    net = hostile_net
    before = net.wait_agreed(MEMBERS)
    stranger = generate_keypair()
    quote = sign_quote(Quote(net.chain_id, "q", "imari-fx", "eurosend", "RWF", 300_000, "EUR", 200_00, "1500",
                             int(time.time() * 1000) + 30_000), stranger)
    op = Transfer((Leg("eurosend:eur", "mobimo:eur", 1_00, "EUR"),), quotes=(quote,))
    body = encode(TxBody(TX_VERSION, net.chain_id, "eurosend", "poison", int(time.time() * 1000) + 60_000, op))
    no_signature = encode(SignedTx(body, ()))  # killed every cutter in turn before
    # The real payment, and a copy of its body signed by another member alone, published first.
    real = net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 3_00)
    body_real = decode_signed(real).body
    ubumwe = net.local.member_key("ubumwe")
    resigned = encode(SignedTx(body_real, (Sig(ubumwe.public_key, ubumwe.sign(tx_id_of(body_real))),)))
    oversize = msgspec.msgpack.encode(TxBatch(1, tuple(b"x" for _ in range(TX_BATCH_TXS_MAX + 1))))
    _publish_raw(net, "ubumwe", [encode_batch([no_signature]), b"\x93garbage", oversize, encode_batch([resigned])])
    # The real submitter is answered with its own verdict, not the copy's.
    [answer] = net.submit_ok("eurosend", [real])
    assert answer["code"] == 0
    more = [net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 1 + i) for i in range(5)]
    assert all(r["code"] == 0 for r in net.submit_ok("eurosend", more))
    agreed = net.wait_agreed(MEMBERS, min_height=before["height"] + 1)
    assert agreed["height"] > before["height"]
    assert _problems(net) == {m: None for m in MEMBERS}
    with net.client("mobimo") as client:
        assert client.account("mobimo:eur")["balance_minor"] == 3_00 + sum(1 + i for i in range(5))
        # The transaction index names the real payment, with its own verdict.
        assert client.get_tx(tx_id_of(body_real))["result"]["code"] == 0


def test_deeply_nested_messages_and_transactions_in_the_log_leave_every_peer_alive(hostile_net: Net) -> None:
    """A member's message nested 5,000 arrays deep, and a batch holding a transaction nested so, raised
    RecursionError out of msgspec (it skips an item past a struct's fields recursively) in each cutter in turn:
    the message is refused whole, the transaction left out of the block, and the payment after them commits."""
    net = hostile_net
    before = net.wait_agreed(MEMBERS)
    nested = b"\x91" * 5_000 + b"\x90"
    deep_tx = b"\x93\xc4\x00\x90" + nested  # a SignedTx with a third item
    _publish_raw(net, "mobimo", [b"\x93\x01\x90" + nested, encode_batch([deep_tx])])
    raw = net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 5_00)
    [answer] = net.submit_ok("eurosend", [raw])
    assert answer["code"] == 0 and answer["height"] > before["height"]
    net.wait_agreed(MEMBERS, min_height=answer["height"])
    assert _problems(net) == {m: None for m in MEMBERS}


def _append_raw_block(net: Net, member: str, payload: bytes) -> None:
    """Append bytes to the blocks stream as ``member`` (cutter-eligible) after whatever it ends with."""

    async def append(nc: NATS) -> None:
        blocks = BlockLog(nc, net.local.ordering())
        for _ in range(5):  # a cutter may append meanwhile: after its block, then
            _, last = await blocks.bounds()
            with contextlib.suppress(BlockConflictError):
                await blocks.append_block(last, payload)
                return
        raise AssertionError("could not append to the blocks stream")

    as_member(net, member, append)


def test_deeply_nested_bytes_in_the_blocks_stream_are_refused_and_following_goes_on(hostile_net: Net) -> None:
    net = hostile_net
    before = net.wait_agreed(MEMBERS)
    rejected = {m: (net.status(m) or {}).get("rejected_blocks", 0) for m in MEMBERS}
    nested = b"\x91" * 5_000 + b"\xc0"  # a block's three parts, the last two nested 5,000 arrays deep
    _append_raw_block(net, "mobimo", b"\x93\x92\xc4\x00\xc4\x00" + nested + nested)
    raw = net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 4_00)
    [answer] = net.submit_ok("eurosend", [raw])
    assert answer["code"] == 0
    net.wait_agreed(MEMBERS, min_height=before["height"] + 1)
    assert _problems(net) == {m: None for m in MEMBERS}
    assert all((net.status(m) or {}).get("rejected_blocks", 0) == rejected[m] + 1 for m in MEMBERS)


def _submit_quietly(net: Net, member: str, raw: bytes) -> None:
    """Submit without waiting on the answer here: the test polls the chain, within its own time limit."""
    with contextlib.suppress(HttpProblem), net.client(member) as client:
        client.submit_many([raw])


def test_a_block_claiming_transactions_not_yet_published_does_not_stop_later_payments(hostile_net: Net) -> None:
    net = hostile_net
    before = net.wait_agreed(MEMBERS)
    net.local.stop_peer("mobimo")  # a cutter-eligible member, appending with its own orderer key
    append_signed_block(net, "mobimo", [], 2**62)  # an empty block covering the stream far past its end
    net.local.start_peer("mobimo")
    net.wait_agreed(MEMBERS, min_height=before["height"] + 1)  # a well-signed block: every peer takes it
    raw = net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 2_00)
    tx_id = tx_id_of(decode_signed(raw).body)
    threading.Thread(target=_submit_quietly, args=(net, "eurosend", raw), daemon=True).start()

    def committed() -> dict[str, Any] | None:
        with net.client("eurosend") as client:
            try:
                return client.get_tx(tx_id)
            except HttpProblem:
                return None

    assert wait_until("the payment after the block in a block", committed, timeout_s=30)["result"]["code"] == 0
    net.wait_agreed(MEMBERS)
    assert _problems(net) == {m: None for m in MEMBERS}


FLOOD_CHECKPOINTS = 3_000


def test_a_member_flooding_checkpoints_gets_its_share_of_signature_checks_not_the_peers_whole_loop(
        hostile_net: Net) -> None:
    """Any member may publish checkpoints on its own subject, and every peer checked each one's signature on its
    event loop (some 400 us): a few thousand a second, a fraction of a megabyte, held every peer's loop, so
    leases lapsed and no block was cut. Past its share, a member's checkpoints are dropped unopened."""
    net = hostile_net
    height = net.wait_agreed(MEMBERS)["height"]
    net.local.stop_peer("eurosend")  # its own checkpoints would overwrite the verdict the test reads
    try:
        chain_id, key = load_genesis(net.local.folder).chain_id, net.local.member_key("eurosend")
        first = height + 1_000
        flood = [sign_checkpoint(Checkpoint(CHECKPOINT_VERSION, chain_id, "eurosend", first + i, b"h" * 32,
                                            b"s" * 32, 0, 0), key) for i in range(FLOOD_CHECKPOINTS)]

        async def publish(nc: NATS) -> None:
            checkpoints = CheckpointLog(nc, net.local.ordering())
            for payload in flood:
                await checkpoints.publish("eurosend", payload)
            await nc.flush()

        def opened_at() -> int:
            verdict = ((net.status("cbr") or {}).get("agreement") or {}).get("eurosend", "")
            return int(verdict.removeprefix("ahead at ")) if verdict.startswith("ahead at ") else 0

        as_member(net, "eurosend", publish)
        wait_until("cbr to open the flood's first checkpoints", lambda: opened_at() >= first, timeout_s=30)
        time.sleep(3)  # every checkpoint it was going to open, opened
        assert opened_at() < first + FLOOD_CHECKPOINTS - 1, "cbr checked every one of the flood's signatures"
    finally:
        net.local.start_peer("eurosend")
    net.wait_agreed(MEMBERS)


def test_a_block_claiming_to_cover_less_than_the_chain_does_not_send_cutters_back_over_the_stream(
        hostile_net: Net) -> None:
    """One signed block claiming coverage up to entry 0 sent the next cutter back to the stream's first entry:
    every transaction of the stream's max age (7 days) went into blocks again, answered duplicate or expired,
    and new payments waited behind them."""
    net = hostile_net
    net.submit_ok("eurosend", [net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 1_00)])
    before = net.wait_agreed(MEMBERS)
    with net.client("eurosend") as client:
        covered = client.block(before["height"])["header"]["source_last"]
    assert covered > 1
    net.local.stop_peer("mobimo")
    append_signed_block(net, "mobimo", [], 0)
    net.local.start_peer("mobimo")
    net.wait_agreed(MEMBERS, min_height=before["height"] + 1)
    net.submit_ok("eurosend", [net.transfer("eurosend", "eurosend:eur", "mobimo:eur", 2_00)])
    after = net.wait_agreed(MEMBERS)
    with net.client("eurosend") as client:
        firsts = [client.block(h)["header"]["source_first"] for h in range(before["height"] + 2, after["height"] + 1)]
    assert firsts and min(firsts) > covered, f"cut again from entry {min(firsts)}; the chain covered {covered}"


def test_a_cutter_with_a_fast_clock_cannot_expire_a_pending_transfer_early(hostile_net: Net) -> None:
    net = hostile_net
    for member in CUTTERS:
        net.local.stop_peer(member)
    net.local.start_peer("cbr", clock_skew_ms=TEN_MINUTES_MS)  # now the only peer that may cut
    preimage = hashlib.sha256(b"fast clock").digest()
    deadline_ms = int(time.time() * 1000) + 120_000
    pending_raw = net.signer("eurosend").sign(Transfer(
        (Leg("eurosend:eur", "mobimo:eur", 7_00, "EUR"),), expires_at_ms=deadline_ms,
        condition=hashlib.sha256(preimage).digest(), payee="mobimo"))
    answers: list[Any] = []
    submitting = threading.Thread(target=lambda: answers.append(net.submit_ok("eurosend", [pending_raw])))
    submitting.start()
    # cbr cuts a block ten minutes ahead of the log's clock: every peer refuses it, cbr included.
    refused = wait_until("the fast cutter's block refused", lambda: (net.status("eurosend") or {}).get(
        "rejected_blocks", 0) > 0 and (net.status("cbr") or {}).get("cutter_unfit"), timeout_s=60)
    assert "ahead of the ordering log" in refused
    net.local.start_peer("sbk")  # an honest cutter takes over
    submitting.join(120)
    assert answers and answers[0][0]["code"] == 0
    pending_id = tx_id_of(decode_signed(pending_raw).body)
    with net.client("eurosend") as client:
        assert client.pending(pending_id)["status"] == "RESERVED"
    for member in ("cbr", "sbk", "eurosend"):
        status = net.status(member) or {}
        assert status["timestamp_ms"] < int(time.time() * 1000) + 10_000  # chain time was never pushed ahead
    net.local.start_peer("mobimo")
    [posted] = net.submit_ok("mobimo", [net.signer("mobimo").sign(PostPending(pending_id, preimage))])
    assert posted["code"] == 0
    net.wait_agreed(MEMBERS)
