"""Building real chains for node tests: every kind of transaction, through the embedded network."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from inzira.demo.setup import create_demo_network
from inzira.fx.desk import FxDesk
from inzira.node.custody import MemberPort
from inzira.fx.rate_source import RateSource
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, PostPending, SetParty, Transfer
from tests.hosted import Hosted as Embedded


def build_sample_chain(folder: Path) -> list[bytes]:
    """A chain of about ten blocks with transfers, a rejection, a hashlocked two-phase transfer and an FX
    payment. Returns the ids of the transactions it committed (successful or not)."""
    create_demo_network(folder, int(time.time() * 1000) - 1000)
    ids: list[bytes] = []
    with Embedded(folder, block_interval_ms=5) as net:
        def run(member: str, op, *cosigners: str, expect: int = Code.OK) -> bytes:
            outcome = net.execute(member, op, *cosigners)
            assert outcome.code == expect, (op, outcome)
            ids.append(outcome.tx_id)
            return outcome.tx_id

        for member, name, currency in [("eurosend", "eur", "EUR"), ("mobimo", "eur", "EUR"),
                                       ("mobimo", "rwf", "RWF"), ("imari-fx", "eur", "EUR"),
                                       ("imari-fx", "rwf", "RWF")]:
            run(member, OpenAccount(f"{member}:{name}", currency))
        run("sbk", Issue("eurosend:eur", 50_000_00, "EUR"))
        run("cbr", Issue("imari-fx:rwf", 100_000_000, "RWF"))
        # Several transfers in one block.
        signer = net.signer("eurosend")
        futures = [net.submit(signer.sign(Transfer((Leg("eurosend:eur", "mobimo:eur", 100 + i, "EUR"),))))
                   for i in range(8)]
        ids += [f.result(30).tx_id for f in futures]
        run("eurosend", Transfer((Leg("eurosend:eur", "mobimo:eur", 10**12, "EUR"),)),
            expect=Code.INSUFFICIENT_LIQUIDITY)
        fulfilment = hashlib.sha256(b"sample").digest()
        pending = run("eurosend", Transfer((Leg("eurosend:eur", "mobimo:eur", 7_00, "EUR"),),
                                           expires_at_ms=int(time.time() * 1000) + 60_000,
                                           condition=hashlib.sha256(fulfilment).digest(), payee="mobimo"))
        run("mobimo", PostPending(pending, fulfilment))
        desk = FxDesk(MemberPort(net, "imari-fx", net.keys["imari-fx"]), RateSource.demo(int(time.time() * 1000)))
        q = desk.quote("eurosend", "EUR", "RWF", now_ms=int(time.time() * 1000), source_amount_minor=100_00)
        run("eurosend", Transfer((Leg("eurosend:eur", "imari-fx:eur", q.source_amount_minor, "EUR"),
                                  Leg("imari-fx:rwf", "mobimo:rwf", q.target_amount_minor, "RWF")),
                                 quotes=(q.signed,), memo="fx sample"))
        run("cbr", SetParty(hashlib.sha256(b"+250788000001").digest(), True, "mobimo"))
    return ids
