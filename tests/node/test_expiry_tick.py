"""A quiet network still expires pending transfers: the solo orderer cuts an empty block at the deadline."""

from __future__ import annotations

import time

from inzira.demo.setup import create_demo_network
from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from tests.hosted import Hosted as Embedded


def test_pending_transfer_expires_without_traffic(tmp_path):
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Embedded(tmp_path) as net:
        for account in ("eurosend:eur", "eurosend:b"):
            assert net.execute("eurosend", OpenAccount(account, "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 1_000, "EUR")).code == Code.OK
        deadline_ms = int(time.time() * 1000) + 600
        outcome = net.execute("eurosend", Transfer((Leg("eurosend:eur", "eurosend:b", 400, "EUR"),),
                                                   expires_at_ms=deadline_ms))
        assert outcome.code == Code.OK
        height = net.node.height
        for _ in range(100):  # bounded: 5 s
            pending = net.node.pending(outcome.tx_id)
            if pending is not None and pending.status == EXPIRED:
                break
            time.sleep(0.05)
        assert net.node.pending(outcome.tx_id).status == EXPIRED
        assert net.node.height == height + 1  # one empty block did it
        assert net.node.account("eurosend:eur").available_minor == 1_000
        time.sleep(0.6)
        assert net.node.height == height + 1  # and no more blocks while nothing is due
