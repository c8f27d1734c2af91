"""A peer's ticket for bytes that reach no block, or reach it too late, when a copy of the same body under other
signatures spent the id: the submitter hears where the id was spent, never "expired" or "duplicate" for a body
whose effects are committed. A real node (SQLite store) with the peer's ticket table as its commit hook; blocks
are made on chosen chain times, as a cutter leaving the submitter's bytes out would make them. (The same on the
real network, with a hostile cutter: tests/network/test_hostile_network.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.crypto.verifier_pool import Verifier
from inzira.demo.members import ORDERER_ID
from inzira.demo.setup import create_demo_network, load_orderer_key
from inzira.ledger.apply import prepare, verify_prepared
from inzira.ledger.block import raw_tx_hash
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer, add_signatures, decode_body, decode_signed, tx_id_of
from inzira.node.node import Node
from inzira.node.signer import MemberSigner
from inzira.ordering.outcome import Ticket
from inzira.peer.inflight import EXPIRY_GRACE_MS, Inflight
from tests.hosted import Hosted, member_keys

PAID_MINOR = 3_00


@pytest.fixture
def funded(tmp_path: Path) -> Iterator[Path]:
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Hosted(tmp_path, block_interval_ms=5, verify_workers=1) as net:
        for account in ("eurosend:eur", "mobimo:eur"):
            assert net.execute(account.split(":")[0], OpenAccount(account, "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 10_00, "EUR")).code == Code.OK
    yield tmp_path


class Chain:
    """The funded network's node, its blocks cut here on chosen times, with a peer's tickets hooked in."""

    def __init__(self, folder: Path) -> None:
        self.node = Node(folder, Verifier(1))
        self.orderer_key = load_orderer_key(folder)
        self.keys = member_keys(folder)
        self.inflight = Inflight(self.node.locate)
        self.node.commit_hooks.append(self.inflight.on_block)

    def payment(self) -> tuple[bytes, bytes, int, Ticket]:
        """eurosend's signed payment to mobimo, its id, its deadline, and the ticket its submitter holds."""
        signer = MemberSigner(self.node.chain_id, "eurosend", self.keys["eurosend"],
                              clock_ms=lambda: self.node.state.timestamp_ms)
        raw = signer.sign(Transfer((Leg("eurosend:eur", "mobimo:eur", PAID_MINOR, "EUR"),)))
        body = decode_signed(raw).body
        tx_id, deadline_ms = tx_id_of(body), decode_body(body).expires_at_ms
        ticket, new = self.inflight.register(raw_tx_hash(raw), tx_id, deadline_ms)
        assert new
        return raw, tx_id, deadline_ms, ticket

    def cut(self, raws: list[bytes], timestamp_ms: int) -> int:
        items = [prepare(raw) for raw in raws]
        verify_prepared(items, self.node.verifier.verify_many)
        return self.node.commit_local(items, timestamp_ms, ORDERER_ID, self.orderer_key).header.height

    def close(self) -> None:
        self.node.close()


@pytest.fixture
def chain(funded: Path) -> Iterator[Chain]:
    opened = Chain(funded)
    try:
        yield opened
    finally:
        opened.close()


def test_bytes_left_out_of_every_block_answer_where_a_copy_spent_their_id(chain: Chain) -> None:
    real, tx_id, deadline_ms, ticket = chain.payment()
    # mobimo adds its own signature: the copy authenticates (eurosend signed it) and spends the id.
    copy = add_signatures(real, chain.keys["mobimo"])
    height = chain.cut([copy], chain.node.state.timestamp_ms + 1)
    assert chain.node.account("mobimo:eur").balance_minor == PAID_MINOR  # type: ignore[union-attr]
    assert not ticket.done()  # the submitter's own bytes are in no block
    chain.cut([], deadline_ms + EXPIRY_GRACE_MS + 1)
    outcome = ticket.result(0)
    assert (outcome.tx_id, outcome.code, outcome.height, outcome.index) == (tx_id, Code.OK, height, 0)
    assert len(chain.inflight) == 0


def test_bytes_that_come_after_a_copy_answer_where_the_copy_spent_their_id(chain: Chain) -> None:
    real, tx_id, _, ticket = chain.payment()
    copy = add_signatures(real, chain.keys["mobimo"])
    height = chain.cut([copy, real], chain.node.state.timestamp_ms + 1)  # the copy first: it spends the id
    outcome = ticket.result(0)
    assert (outcome.tx_id, outcome.code, outcome.height, outcome.index) == (tx_id, Code.OK, height, 0)


def test_bytes_whose_id_nobody_spent_still_expire(chain: Chain) -> None:
    _, _, deadline_ms, ticket = chain.payment()
    chain.cut([], deadline_ms + EXPIRY_GRACE_MS)
    assert not ticket.done()  # the grace is not over yet: the bytes may still come, marked expired
    chain.cut([], deadline_ms + EXPIRY_GRACE_MS + 1)
    outcome = ticket.result(0)
    assert (outcome.code, outcome.height) == (Code.EXPIRED, 0)
    assert chain.node.account("mobimo:eur").balance_minor == 0  # type: ignore[union-attr]
