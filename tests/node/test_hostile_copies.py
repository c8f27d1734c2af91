"""A node under hostile copies of a member's transaction: a body re-signed by another member, submitted just
before the real one (same id, other signatures), neither answers for the real one nor blocks it, in the
orderer, the transaction index or the audit."""

from __future__ import annotations

import time

from inzira.demo.setup import create_demo_network
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Sig, SignedTx, Transfer, decode_signed, tx_id_of
from inzira.node.audit import audit
from tests.hosted import Hosted as Embedded


def _resigned(raw: bytes, key) -> bytes:
    body = decode_signed(raw).body
    return encode(SignedTx(body, (Sig(key.public_key, key.sign(tx_id_of(body))),)))


def test_a_resigned_copy_in_the_same_block_neither_answers_for_nor_blocks_the_real_one(tmp_path):
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Embedded(tmp_path, block_interval_ms=50) as net:
        assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == Code.OK
        assert net.execute("mobimo", OpenAccount("mobimo:eur", "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 10_00, "EUR")).code == Code.OK
        real = net.signer("eurosend").sign(Transfer((Leg("eurosend:eur", "mobimo:eur", 3_00, "EUR"),)))
        copy = _resigned(real, net.keys["ubumwe"])
        copy_ticket, real_ticket = net.orderer.submit_many([copy, real])
        copy_outcome, real_outcome = copy_ticket.result(30), real_ticket.result(30)
        assert copy_outcome.code == Code.PERMISSION
        assert real_outcome.code == Code.OK and real_outcome.height == copy_outcome.height  # one block
        tx_id = tx_id_of(decode_signed(real).body)
        located = net.node.locate([tx_id])[tx_id]
        assert (located.height, located.index, located.code) == (real_outcome.height, real_outcome.index, 0)
        # Once spent, the id is answered from the chain, for the real bytes and any copy of the body alike.
        again = net.orderer.submit_many([real, copy])
        assert [(t.result(30).code, t.result(30).height) for t in again] == [(Code.OK, real_outcome.height)] * 2
        assert net.node.account("mobimo:eur").balance_minor == 3_00
    report = audit(tmp_path, verify_workers=1)
    assert report.height > 0
