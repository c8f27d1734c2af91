"""Crash test: SIGKILL the node at random moments while a client submits over HTTP.

After a clean restart, every transaction the client saw acknowledged is in the chain exactly once, nothing
was applied twice, and ``chain verify`` passes.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from inzira.api.client import LedgerHttpClient
from inzira.http import HttpProblem
from inzira.demo.setup import load_api_keys
from tests.hosted import member_keys as load_member_keys
from inzira.ledger.apply import prepare
from inzira.ledger.block import decode_block
from inzira.ledger.records import Account, Leg
from inzira.ledger.tx import Issue, Transfer
from inzira.node.audit import audit
from inzira.node.reader import ChainReader, load_genesis
from inzira.node.signer import MemberSigner

KILLS = 4
CLIENTS = 4
RUN_BETWEEN_KILLS_S = (1.0, 3.0)
START_TIMEOUT_S = 120  # a loaded CI machine once took more than 60 s to start the demo
PAYER, PAYEE = "eurosend:eur", "imari-fx:eur"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(data), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the node exited while starting")
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the node did not start")


class Client(threading.Thread):
    """Submits its own transfers, one at a time; resubmits the same bytes until it gets an answer."""

    def __init__(self, url: str, token: str, signer: MemberSigner, number: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.http = LedgerHttpClient(url, token)
        self.signer, self.number, self.stop_event = signer, number, stop
        self.acknowledged: dict[bytes, tuple[int, int]] = {}  # tx id -> (code, amount)
        self.unanswered: list[bytes] = []

    def run(self) -> None:
        rng = random.Random(self.number)
        i = 0
        while not self.stop_event.is_set():
            i += 1
            amount = rng.randint(1, 500)
            raw = self.signer.sign(Transfer((Leg(PAYER, PAYEE, amount, "EUR"),)), ref=f"c{self.number}-{i}")
            tx_id = prepare(raw).tx_id
            answered = False
            for _ in range(200):  # resubmit the very same bytes across crashes
                try:
                    answer = self.http.submit(raw)
                    self.acknowledged[tx_id] = (answer["code"], amount)
                    answered = True
                    break
                except HttpProblem as problem:
                    if problem.in_chain:
                        self.acknowledged[tx_id] = (problem.code, amount)
                        answered = True
                        break
                    time.sleep(0.05)  # refused before a block, or no answer (the node is down)
                if self.stop_event.is_set():
                    break
            if not answered:
                self.unanswered.append(tx_id)


@pytest.mark.timeout(600)
def test_sigkill_during_load_loses_and_duplicates_nothing(tmp_path):
    data = tmp_path / "data"
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start(data, port)
    genesis = load_genesis(data)
    key = load_member_keys(data)["eurosend"]
    token = load_api_keys(data)["eurosend"]
    stop = threading.Event()
    clients = [Client(url, token, MemberSigner(genesis.chain_id, "eurosend", key), n, stop) for n in range(CLIENTS)]
    for c in clients:
        c.start()
    rng = random.Random(2026)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(*RUN_BETWEEN_KILLS_S))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            time.sleep(rng.uniform(0.0, 0.5))
            proc = _start(data, port)
        time.sleep(1.0)
    finally:
        stop.set()
        for c in clients:
            c.join(30)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    acknowledged = {tx_id: v for c in clients for tx_id, v in c.acknowledged.items()}
    committed = [tx_id for tx_id, (code, _) in acknowledged.items() if code == 0]
    assert len(committed) > 50, "the load should have committed a good number of transfers"
    # Every block, every transaction: count each id's applications.
    reader = ChainReader(data)
    applied: dict[bytes, int] = {}
    credited_minor = 0
    for _, encoded in reader.store.iter_blocks(1):
        block = decode_block(encoded)
        for raw, result in zip(block.txs, block.results):
            p = prepare(raw)
            if result.code == 0:
                applied[p.tx_id] = applied.get(p.tx_id, 0) + 1
                op = p.body.op
                if isinstance(op, Transfer):
                    credited_minor += sum(leg.amount_minor for leg in op.legs if leg.credit == PAYEE)
                elif isinstance(op, Issue) and op.account == PAYEE:
                    credited_minor += op.amount_minor
    for tx_id, (code, _) in acknowledged.items():
        location = reader.store.tx_location(tx_id)
        assert location is not None, "an acknowledged transaction is missing from the chain"
        assert location.code == code
        assert applied.get(tx_id, 0) == (1 if code == 0 else 0)
    assert all(n == 1 for n in applied.values()), "a transaction was applied twice"
    payee = msgspec.msgpack.decode(reader.store.state_value(b"A" + PAYEE.encode()), type=Account)
    assert payee.credits_posted == credited_minor
    report = audit(data, verify_workers=1)
    assert report.height > 0
