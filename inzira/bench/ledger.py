"""``inzira bench ledger``: signed transfers through the embedded node, every signature verified, every
block durable (SQLite WAL synced) before its transfers count as committed.

Transfers are signed before the clock starts, as clients sign on their own machines; what is timed is the
node's work: decoding, signature checks, ordering, applying, sealing, writing.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from inzira.bench.stats import ed25519_verify_us, machine, percentile_ms
from inzira.process import tune_gc
from inzira.demo.setup import create_demo_network, demo_keyring
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from inzira.node.custody import Keyring
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms
from inzira.ordering.outcome import Busy

ACCOUNTS = 200  # payer accounts, and as many payee accounts
IN_FLIGHT_MAX = 20_000  # transfers submitted and not yet committed
SUBMIT_CHUNK = 100  # transfers handed to the node at once, as a client's batch would be
FUNDING_MINOR = 10**12
SETUP_BATCH = 500


def _setup(net: Embedded, keys: Keyring) -> tuple[list[str], list[str]]:
    payers = [f"eurosend:bench-{i}" for i in range(ACCOUNTS)]
    payees = [f"mobimo:bench-{i}" for i in range(ACCOUNTS)]
    send, recv, bank = (keys.port(net, m) for m in ("eurosend", "mobimo", "sbk"))
    futures = [net.submit(send.sign(OpenAccount(a, "EUR"))) for a in payers]
    futures += [net.submit(recv.sign(OpenAccount(a, "EUR"))) for a in payees]
    _wait_ok(futures)
    _wait_ok([net.submit(bank.sign(Issue(a, FUNDING_MINOR, "EUR", f"bench-{a}"))) for a in payers])
    return payers, payees


def _wait_ok(futures: list) -> None:
    for f in futures:
        outcome = f.result(60)
        if outcome.code != 0:
            raise RuntimeError(f"benchmark set-up transaction failed with code {outcome.code}")


def _when_all(tickets: list, callback: Callable[[], None]) -> None:
    """Call ``callback`` once every ticket has resolved."""
    left = [len(tickets)]
    lock = threading.Lock()

    def one(_ticket) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            callback()

    for ticket in tickets:
        ticket.add_done_callback(one)


def run(transfers: int, data_dir: Path | None = None, on_progress: Callable[[int], None] | None = None,
        block_txs_max: int = 2_000) -> dict[str, object]:
    verify_us = ed25519_verify_us()
    folder = data_dir or Path(tempfile.mkdtemp(prefix="inzira-bench-"))
    create_demo_network(folder, wall_clock_ms() - 1_000)
    with Embedded(folder, block_txs_max=block_txs_max) as net:
        keys = demo_keyring(folder)
        payers, payees = _setup(net, keys)
        tune_gc()
        signer = keys.port(net, "eurosend", validity_ms=3_600_000)
        sign_started = time.perf_counter()
        raws = [
            signer.sign(Transfer((Leg(payers[i % ACCOUNTS], payees[(i * 7) % ACCOUNTS], 1 + i % 1000, "EUR"),)))
            for i in range(transfers)
        ]
        sign_s = time.perf_counter() - sign_started
        start_height = net.node.height
        latencies: list[float] = [0.0] * transfers
        failures = [0]
        slots = threading.Semaphore(IN_FLIGHT_MAX // SUBMIT_CHUNK)
        done = threading.Event()
        remaining = [transfers]
        lock = threading.Lock()

        def finished(first: int, submitted: float, tickets: list) -> None:
            # Called once per chunk, when its last ticket resolves; every ticket of a block resolves together.
            now = time.perf_counter()
            failed = sum(1 for t in tickets if t.exception() is not None or t.result().code != 0)
            for i in range(first, first + len(tickets)):
                latencies[i] = now - submitted
            slots.release()
            with lock:
                failures[0] += failed
                remaining[0] -= len(tickets)
                if remaining[0] == 0:
                    done.set()

        started = time.perf_counter()
        for first in range(0, transfers, SUBMIT_CHUNK):
            chunk = raws[first : first + SUBMIT_CHUNK]
            slots.acquire()
            while True:
                try:
                    submitted = time.perf_counter()
                    tickets = net.orderer.submit_many(chunk)
                    break
                except Busy:
                    time.sleep(0.001)
            _when_all(tickets, lambda f=first, t=submitted, ts=tickets: finished(f, t, ts))
            if on_progress is not None:
                on_progress(transfers - remaining[0])
        done.wait(600)
        elapsed = time.perf_counter() - started
        blocks = net.node.height - start_height
    if on_progress is not None:
        on_progress(transfers)
    return {
        "benchmark": "ledger",
        "transfers": transfers,
        "failed": failures[0],
        "seconds": round(elapsed, 3),
        "committed_per_s": round(transfers / elapsed, 1),
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "blocks": blocks,
        "block_txs_max": block_txs_max,
        "signing_seconds_untimed": round(sign_s, 3),
        "signatures_verified": True,
        "ed25519_verify_us_one_core": verify_us,
        # The most any node could commit here if it did nothing but check one signature per transfer.
        "verify_only_ceiling_per_s": round((machine()["cores"] or 1) * 1e6 / verify_us),  # type: ignore[operator]
        "durable": "sqlite WAL, synchronous=FULL, one transaction per block",
        "data": str(folder) if data_dir else None,
        **machine(),
    }
