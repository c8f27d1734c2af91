"""An embedded demo network with a few real transactions, and the explorer served over real HTTP."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from inzira.demo.setup import create_demo_network
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from tests.hosted import Hosted as Embedded
from tests.web.server import explorer_app, running_server

PREIMAGE = hashlib.sha256(b"explorer-test preimage").digest()
PENDING_FOR_MS = 3_600_000
HTTP_TIMEOUT_S = 10.0


@dataclass
class Demo:
    net: Embedded
    transfer_id: str  # a committed EUR transfer with a memo
    rejected_id: str  # a transfer over the payer's balance: in its block, marked 4001
    pending_id: str  # a hashlocked two-phase transfer, still reserved
    issue_id: str
    rejected_height: int


def _id(outcome) -> str:
    return outcome.tx_id.hex()


def populate(net: Embedded) -> Demo:
    for member, account, currency in [("eurosend", "eurosend:eur", "EUR"), ("mobimo", "mobimo:eur", "EUR"),
                                      ("mobimo", "mobimo:rwf", "RWF")]:
        if net.execute(member, OpenAccount(account, currency)).code != 0:
            raise RuntimeError(f"could not open {account}")
    issue = net.execute("sbk", Issue("eurosend:eur", 1_000_000, "EUR"))
    net.execute("cbr", Issue("mobimo:rwf", 5_000_000, "RWF"))
    transfer = net.execute("eurosend", Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 2_500, "EUR"),),
                                                memo="remittance <b>42</b>"))
    rejected = net.execute("eurosend", Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 99_000_000, "EUR"),)))
    deadline_ms = time.time_ns() // 1_000_000 + PENDING_FOR_MS
    pending = net.execute("eurosend", Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 700, "EUR"),),
                                               expires_at_ms=deadline_ms,
                                               condition=hashlib.sha256(PREIMAGE).digest(), payee="mobimo"))
    if (issue.code, transfer.code, rejected.code, pending.code) != (0, 0, 4001, 0):
        raise RuntimeError("the demo transactions did not come out as expected")
    return Demo(net, _id(transfer), _id(rejected), _id(pending), _id(issue), rejected.height)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    data_dir: Path = tmp_path_factory.mktemp("explorer-net")
    create_demo_network(data_dir, time.time_ns() // 1_000_000)
    with Embedded(data_dir) as net:
        yield populate(net)


@pytest.fixture(scope="module")
def base_url(demo: Demo) -> Iterator[str]:
    with running_server(explorer_app(demo.net)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base_url: str) -> Iterator[httpx.Client]:
    """One client per module: a fresh httpx client costs ~70 ms (TLS context), a request ~5 ms."""
    with httpx.Client(base_url=base_url, timeout=HTTP_TIMEOUT_S) as http:
        yield http
