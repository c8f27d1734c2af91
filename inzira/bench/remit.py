"""``inzira bench remit``: complete remittances through the HTTP API, against a real server it starts.

Set up, untimed: an embedded network in a temporary folder (seeded, extra funding), a mobile-money
simulator per receiving FSP (latency 0 by default), the directory operator (each look-up goes through its
API and audit log, as in the demo) with the wallets listed, the remittance service and the API on 127.0.0.1.
Timed: a load process (a separate process, as customers' systems are) drives ``concurrency`` customers, each
doing look-up -> quote -> send (waiting for the outcome) in turn; compliance screening, the on-chain
reservation, the payout at the simulator and the commit all happen in between.
Latency is from the look-up request to the answer that says COMMITTED.
Senders' and receivers' names are ordinary names from the names corpora (`screening_lists.customer_names`);
``--sanctions-entries N`` screens them against a generated list of N entries instead of the fictional sample
(a namesake that list holds shows as a HELD failure).

The load process speaks HTTP/1.1 on keep-alive connections with a minimal client of its own: a general
client library would spend more CPU than the server it is measuring, on the same two cores. The simulators
run in their own processes too (an operator's systems are not the server's); the API is served on the
remittance service's own loop (``RemitService.serve_http``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from inzira.bench.screening_lists import customer_names, generated_list, un_list_xml
from inzira.bench.stats import machine, percentile_ms
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.operator import operator_member
from inzira.ledger.tx import Issue, SetParty
from inzira.node.custody import Keyring
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms

WALLETS_PER_FSP = 200
AMOUNT_MINOR_RANGE = (1_000, 50_000)  # EUR cents per remittance
FUNDING_MINOR = {"eurosend:eur": 10**11, "imari-fx:rwf": 10**13}
REQUEST_TIMEOUT_S = 60.0
RESPONSE_BYTES_MAX = 1 << 20
WAIT_MS = 30_000
SIM_START_TIMEOUT_S = 30.0
SWITCH_INTERVAL_S = 0.0005
# Customers' names, senders and receivers, drawn from the names corpora (most repeat, as first names do).
CUSTOMER_NAMES = 5_000


class _Connection:
    """One keep-alive HTTP/1.1 connection: JSON in, (status, JSON) out."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\nHost: {host}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        head = f"{method} {path} HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        self.writer.write(head.encode() + self.auth + b"\r\n" + payload)
        reader = self.reader
        if reader is None:
            raise ConnectionError("the benchmark's connection is not open")
        status_line = await reader.readuntil(b"\r\n")
        length = 0
        while True:
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length > RESPONSE_BYTES_MAX:
            raise ValueError("response too large")
        content = await reader.readexactly(length)
        return int(status_line.split()[1]), json.loads(content) if content else None


async def _customers(base_url: str, token: str, numbers: list[str], count: int, concurrency: int,
                     seed_value: int, names: list[str]) -> dict[str, Any]:
    host, port = base_url.removeprefix("http://").split(":")
    rng = random.Random(seed_value)
    latencies: list[float] = []
    transfer_latencies: list[float] = []
    failures: dict[str, int] = {}
    remaining = [count]

    async def customer() -> None:
        conn = _Connection(host, int(port), token)
        while remaining[0] > 0:
            remaining[0] -= 1
            number = rng.choice(numbers)
            started = time.perf_counter()
            status, _ = await conn.request("GET", f"/v1/remit/parties/MSISDN/{number}")
            if status != 200:
                failures[f"lookup {status}"] = failures.get(f"lookup {status}", 0) + 1
                continue
            status, quote = await conn.request("POST", "/v1/remit/quotes", {
                "receiver_msisdn": number, "amount_type": "SEND", "currency": "EUR",
                "amount_minor": rng.randrange(*AMOUNT_MINOR_RANGE)})
            if status != 201:
                failures[f"quote {status}"] = failures.get(f"quote {status}", 0) + 1
                continue
            sent = time.perf_counter()
            status, view = await conn.request("POST", f"/v1/remit/transfers?wait_ms={WAIT_MS}", {
                "transfer_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "quote_id": quote["quote_id"],
                "sender": {"id": f"customer-{rng.getrandbits(48):x}", "name": rng.choice(names)},
                "receiver": {"name": rng.choice(names)}})
            state = view.get("state") if isinstance(view, dict) else None
            if status != 201 or state != "COMMITTED":
                key = f"transfer {status} {state or view.get('code')}"
                failures[key] = failures.get(key, 0) + 1
                continue
            done = time.perf_counter()
            latencies.append(done - started)
            transfer_latencies.append(done - sent)
        if conn.writer is not None:
            conn.writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(customer() for _ in range(concurrency)))
    return {"seconds": time.perf_counter() - started, "latencies": latencies,
            "transfer_latencies": transfer_latencies, "failures": failures}


def _load(base_url: str, token: str, numbers: list[str], count: int, concurrency: int, seed_value: int,
          names: list[str]) -> dict:
    return asyncio.run(_customers(base_url, token, numbers, count, concurrency, seed_value, names))


def _sim_process(config: Any, conn: Any) -> None:
    """A mobile-money simulator in its own process (an operator's system is not the server's)."""
    from inzira.sim.momo import serve

    with serve(config) as sim:
        conn.send(sim.base_url)
        conn.recv()  # until the benchmark is done


@contextlib.contextmanager
def _simulator(config: Any) -> Any:
    from inzira.sim.momo import MomoSimAdmin, RunningMomoSim

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_sim_process, args=(config, child), daemon=True)
    process.start()
    try:
        if not parent.poll(SIM_START_TIMEOUT_S):
            raise RuntimeError("the mobile-money simulator did not start")
        base_url = parent.recv()
        admin = MomoSimAdmin(base_url, config.admin_token)
        try:
            yield RunningMomoSim(base_url, config, admin)
        finally:
            admin.close()
    finally:
        parent.send("stop")
        process.join(SIM_START_TIMEOUT_S)
        if process.is_alive():
            process.kill()


def _setup(net: Embedded, keys: Keyring, sims: dict[str, Any], operator: Any) -> list[str]:
    bank = net.node.genesis.issuers()
    tickets = [net.submit(keys.port(net, bank["EUR" if a.endswith("eur") else "RWF"]).sign(
        Issue(a, amount, "EUR" if a.endswith("eur") else "RWF", f"bench-{a}")))
        for a, amount in FUNDING_MINOR.items()]
    numbers: list[str] = []
    for i, (fsp, sim) in enumerate(sorted(sims.items())):
        for j in range(WALLETS_PER_FSP):
            msisdn = f"25078{i}{j:06d}"
            sim.admin.create_wallet(msisdn, "Jeanne", "Uwase")
            # Listed by the operator's own signature: the registration requests' checks are not measured here.
            party = operator.party_hash("+" + msisdn)
            tickets.append(net.submit(keys.port(net, operator.member).sign(SetParty(party, True, fsp))))
            numbers.append("+" + msisdn)
    for ticket in tickets:
        if ticket.result(60).code != 0:
            raise RuntimeError(f"benchmark set-up transaction failed with code {ticket.result().code}")
    return numbers


def run(remittances: int, concurrency: int = 20, latency_ms: int = 0, data_dir: Path | None = None,
        on_progress: Callable[[str], None] | None = None, sanctions_entries: int = 0) -> dict[str, Any]:
    from inzira.api.app import create_app
    from inzira.directory.api import mount_directory
    from inzira.directory.operator import DirectoryOperator
    from inzira.directory.settings import DirectorySettings
    from inzira.remit.api import mount_remit
    from inzira.remit.service import RemitService
    from inzira.remit.settings import RemitSettings
    from inzira.sim.momo import Behaviour, MomoSimConfig

    # Many threads share one interpreter lock here (API and service loop, orderer, store flusher): a thread
    # back from I/O waits for the lock up to the switch interval, 5 ms by default, which dominates latency.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    folder = data_dir or Path(tempfile.mkdtemp(prefix="inzira-bench-remit-"))
    create_demo_network(folder, wall_clock_ms() - 1_000)
    say = on_progress or (lambda _message: None)
    with contextlib.ExitStack() as stack:
        net = stack.enter_context(Embedded(folder))
        keys = demo_keyring(folder)
        seed(net, keys)
        providers = Providers(net, keys, folder)
        stack.callback(providers.close)
        fsps = ["eurosend", "mobimo", "ubumwe"]
        config = MomoSimConfig(float_minor=10**15, behaviour=Behaviour(latency_ms=latency_ms), pending_max=100_000)
        sims = {fsp: stack.enter_context(_simulator(config)) for fsp in ("mobimo", "ubumwe")}
        sanctions_file = None
        if sanctions_entries:
            say(f"writing a generated sanctions list of {sanctions_entries} entries")
            sanctions_file = folder / "sanctions-generated.xml"
            now = datetime.now(timezone.utc).isoformat()  # a list as fresh as a service would load
            sanctions_file.write_bytes(un_list_xml(generated_list(sanctions_entries, generated_at=now)))
        service = RemitService(net, keys.ports(net, fsps), folder, RemitSettings(
            payout_adapters={fsp: sim.adapter_config(connections_max=4) for fsp, sim in sims.items()},
            sanctions_file=sanctions_file), fx=providers.fx_client(fsps), funding=providers.funding_client(fsps))
        service.start()
        stack.callback(service.stop)
        tokens = load_api_keys(folder)
        operator = DirectoryOperator(keys.port(net, operator_member(net.node.state.members.values())),
                                     folder / "directory-operator", DirectorySettings(
            declared_daily_transfers={"eurosend": 10**9}), {t: m for m, t in tokens.items()})
        stack.callback(operator.close)
        say("setting up wallets and the directory")
        numbers = _setup(net, keys, sims, operator)
        app = create_app(net, routers=providers.routers())
        mount_remit(app, service)
        mount_directory(app, operator)
        served = service.serve_http(app)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        token = tokens["eurosend"]
        say(f"running {remittances} remittances with {concurrency} customers at a time")
        start_height = net.node.height
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            names = customer_names(CUSTOMER_NAMES)
            pool.submit(_load, served.base_url, token, numbers, min(50, remittances), concurrency, 1, names).result()
            cpu_before = os.times()
            result = pool.submit(_load, served.base_url, token, numbers, remittances, concurrency, 2, names).result()
            cpu_after = os.times()
        blocks = net.node.height - start_height
        net.node.state.check_invariants()
    latencies = result["latencies"]
    done = len(latencies)
    return {
        "benchmark": "remit",
        "remittances": done,
        "failed": sum(result["failures"].values()),
        "failures": result["failures"],
        "seconds": round(result["seconds"], 3),
        "remittances_per_s": round(done / result["seconds"], 1) if result["seconds"] else 0.0,
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "transfer_p50_ms": percentile_ms(result["transfer_latencies"], 0.50),
        "transfer_p99_ms": percentile_ms(result["transfer_latencies"], 0.99),
        "concurrency": concurrency,
        "payout_latency_ms": latency_ms,
        "http_requests_per_remittance": 3,
        "switch_interval_s": SWITCH_INTERVAL_S,
        "blocks": blocks,
        "sanctions_entries": sanctions_entries or "sample",
        # CPU of the server process (all its threads), as a share of one core: ~100 means the GIL is the limit.
        "server_cpu_percent": round(100 * (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system)
                                    / result["seconds"], 1) if result["seconds"] else 0.0,
        "data": str(folder) if data_dir else None,
        **machine(),
    }
