"""Restart: the node resumes from its store with the same state, client references included."""

from __future__ import annotations

import time

from inzira.demo.setup import create_demo_network
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from tests.hosted import Hosted as Embedded


def test_restart_keeps_state_and_client_references(tmp_path):
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Embedded(tmp_path) as net:
        assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == Code.OK
        assert net.execute("eurosend", OpenAccount("eurosend:b", "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 1_000, "EUR")).code == Code.OK
        signer = net.signer("eurosend")
        first = signer.sign(Transfer((Leg("eurosend:eur", "eurosend:b", 10, "EUR"),)), ref="pay-7")
        outcome = net.submit(first).result(30)
        assert outcome.code == Code.OK
        state_hash, digest = net.node.state.state_hash, net.node.state.digest()
    with Embedded(tmp_path) as net:
        assert net.node.state.state_hash == state_hash
        assert net.node.state.digest() == digest  # the references came back from the transaction index
        again = net.submit(first).result(30)
        assert (again.code, again.height, again.index) == (Code.OK, outcome.height, outcome.index)
        changed = net.signer("eurosend").sign(Transfer((Leg("eurosend:eur", "eurosend:b", 11, "EUR"),)),
                                              ref="pay-7")
        assert net.submit(changed).result(30).code == Code.MODIFIED_REQUEST
        assert net.node.account("eurosend:b").balance_minor == 10
