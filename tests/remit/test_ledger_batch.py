"""The receiving FSP's ledger batcher: what is submitted in one turn of the loop reaches the ledger together,
and each transaction still gets its own verdict (a refused one its own code)."""

from __future__ import annotations

import asyncio
import time

from inzira.demo.setup import create_demo_network
from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.remit.ledger_batch import LedgerBatcher
from tests.hosted import Hosted

TIMEOUT_S = 30.0
ACCOUNTS = 60


def test_a_burst_is_handed_over_together_and_each_gets_its_verdict(tmp_path):
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Hosted(tmp_path) as net:
        signer = net.signer("mobimo")
        raws = [signer.sign(OpenAccount(f"mobimo:batch-{i}", "RWF")) for i in range(ACCOUNTS)]
        refused = signer.sign(OpenAccount("eurosend:not-mine", "RWF"))  # another member's name: refused
        height = net.node.height
        batcher = LedgerBatcher(net)

        async def burst() -> list:
            return await asyncio.gather(*(batcher.submit(raw, TIMEOUT_S) for raw in [*raws, refused]))

        outcomes = asyncio.run(burst())
    assert batcher.batches == 1  # one turn of the loop, one hand-over
    assert [o.code for o in outcomes[:-1]] == [Code.OK] * ACCOUNTS
    assert outcomes[-1].code not in (Code.OK, Code.DUPLICATE)
    assert len({o.tx_id for o in outcomes}) == ACCOUNTS + 1
    assert net.node.height - height <= 2  # side by side in the orderer: one block, two at a cut's edge
