"""A cutter-eligible member leaves a submitter's bytes out of the chain and puts in their place a copy of the body
it signed too: on the real network (peer processes on a real NATS cluster, the submitter's peer in this
process), the copy spends the id with the body's effects and the submitter's own bytes reach no block, ever.
The submitter's ticket must then answer where the copy spent the id, not "expired" (a remittance aborted, a QR
payment failed, while the money moved)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.ledger.block import raw_tx_hash
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer, add_signatures, decode_body, decode_signed, tx_id_of
from inzira.network.local_network import agreement_quorum
from inzira.network.nats_cluster import NatsCluster
from inzira.node.signer import MemberSigner
from inzira.ordering.jetstream.tx_log import TxLog
from inzira.peer.service import Peer
from tests.network.helpers import Net, in_process_peer, running_network, wait_until
from tests.network.on_the_log import append_signed_block, as_member

PROCESS_PEERS = ["cbr", "sbk", "mobimo"]  # the three cutters
SUBMITTER = "ubumwe"  # its peer runs in this process: the test holds its ticket
HOSTILE = "mobimo"
# The copy must be in a block before the deadline (it takes under a second); expiry comes a grace after it.
VALIDITY_MS = 8_000
# The submitter's grace: the peer's minute, only shorter, so the chain's clock passes it within seconds.
GRACE_MS = 3_000
RESULT_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[tuple[Net, Peer]]:
    with running_network(Path(tmp_path_factory.mktemp("copies")), nats_cluster, PROCESS_PEERS) as net:
        with in_process_peer(net, SUBMITTER, agreement_quorum(len(PROCESS_PEERS) + 1),
                             lambda peer: setattr(peer.inflight, "grace_ms", GRACE_MS)) as peer:
            yield net, peer


def _stream_end(net: Net) -> int:
    return as_member(net, HOSTILE, lambda nc: TxLog(nc, net.local.ordering(), member=HOSTILE).last_seq())


@pytest.mark.timeout(300)
def test_a_cutter_that_puts_a_copy_in_place_of_the_submitted_bytes_does_not_make_them_expire(
        setup: tuple[Net, Peer]) -> None:
    net, peer = setup
    rt = peer.runtime
    keys = {m: net.local.member_key(m) for m in (SUBMITTER, HOSTILE, "sbk")}
    signer = MemberSigner(peer.node.chain_id, SUBMITTER, keys[SUBMITTER], validity_ms=VALIDITY_MS)
    sbk = MemberSigner(peer.node.chain_id, "sbk", keys["sbk"])
    net.open_funded(HOSTILE, "eur", "EUR", 0, "sbk")
    assert rt.submit(signer.sign(OpenAccount(f"{SUBMITTER}:eur", "EUR"))).result(RESULT_TIMEOUT_S).code == Code.OK
    assert rt.submit(sbk.sign(Issue(f"{SUBMITTER}:eur", 10_00, "EUR"))).result(RESULT_TIMEOUT_S).code == Code.OK
    net.wait_agreed(PROCESS_PEERS, min_height=peer.node.height)
    for member in PROCESS_PEERS:
        net.local.stop_peer(member)  # nobody cuts: the submitted bytes stay in the transactions stream

    real = signer.sign(Transfer((Leg(f"{SUBMITTER}:eur", f"{HOSTILE}:eur", 4_00, "EUR"),)))
    body = decode_signed(real).body
    tx_id, deadline_ms = tx_id_of(body), decode_body(body).expires_at_ms
    published = peer.publisher.published_txs if peer.publisher else 0
    ticket = rt.submit(real)
    wait_until("the payment published", lambda: peer.publisher and peer.publisher.published_txs > published,
               timeout_s=RESULT_TIMEOUT_S)
    # mobimo signs the body too (it authenticates: ubumwe's signature is there) and cuts a block of that copy
    # alone, covering the stream entry that holds ubumwe's own bytes.
    append_signed_block(net, HOSTILE, [add_signatures(real, keys[HOSTILE])], _stream_end(net))
    spent = wait_until("the copy in a block here", lambda: peer.node.locate([tx_id]).get(tx_id),
                       timeout_s=RESULT_TIMEOUT_S)
    assert spent.code == Code.OK
    assert peer.node.account(f"{HOSTILE}:eur").balance_minor == 4_00  # type: ignore[union-attr]
    assert not ticket.done()

    for member in PROCESS_PEERS:
        net.local.start_peer(member)
    # A pending transfer due a grace after the payment's deadline (or soon, if the cutters took longer to start):
    # the cutters make the block that expires it.
    due_ms = max(deadline_ms + GRACE_MS, int(time.time() * 1000)) + 1_000
    due = signer.sign(Transfer((Leg(f"{SUBMITTER}:eur", f"{HOSTILE}:eur", 1, "EUR"),), expires_at_ms=due_ms))
    assert rt.submit(due).result(RESULT_TIMEOUT_S).code == Code.OK
    outcome = ticket.result(due_ms / 1000 + 60 - time.time())
    assert (outcome.tx_id, outcome.code, outcome.height, outcome.index) == (tx_id, Code.OK, spent.height, spent.index)
    # ubumwe's own bytes reached no block: the ticket was answered from where the copy spent the id.
    own = raw_tx_hash(real)
    for height in range(spent.height, peer.node.height + 1):
        found = peer.node.block(height)
        assert found is not None and own not in [raw_tx_hash(raw) for raw in found[0].txs]
    net.wait_agreed(PROCESS_PEERS, min_height=peer.node.height)
