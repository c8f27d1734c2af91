"""``inzira bench remit``: complete remittances through the HTTP API, against a real server it starts.

Set up, untimed: an embedded network in a temporary folder (seeded, extra funding), the FX provider's quote
desk in its own process with its own key only (``inzira.bench.fx_desk``), a mobile-money simulator per
receiving FSP (each payout resolves after a time drawn in ``latency_ms..latency_max_ms``,
then the operator calls the service back), the directory operator (each look-up goes through its API and
audit log, as in the demo) with the wallets listed, the remittance service and the API on 127.0.0.1.
Timed: a load process (``remit_load``, a separate process, as customers' systems are) drives
``concurrency`` customers, each doing look-up -> quote -> send (waiting for the outcome) in turn;
compliance screening, the on-chain reservation, the payout at the simulator and the commit all happen in
between. Latency is from the look-up request to the answer that says COMMITTED.
Senders' and receivers' names are ordinary names from the names corpora (`screening_lists.customer_names`);
``sanctions_entries`` screens them against a generated list of that many entries in the UN format (0: the
fictional sample); a namesake that list holds is HELD for an officer and counted apart.

Every process's CPU over the timed window is counted: the server (API, service loop, orderer, store), the
load process, the FX desk and the simulators; the server's by thread too.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import tempfile
import threading
from datetime import datetime, timezone
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from inzira.bench import cpu, remit_load
from inzira.bench.child import served_child
from inzira.bench.fx_desk import DeskConfig, desk_process
from inzira.bench.screening_lists import customer_names, generated_list, un_list_xml
from inzira.bench.stats import machine, percentile_ms
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, key_path, load_api_keys
from inzira.directory.operator import operator_member
from inzira.fx.client import FxClient
from inzira.ledger.tx import Issue, SetParty
from inzira.node.custody import Keyring
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms

WALLETS_PER_FSP = 200
FUNDING_MINOR = {"eurosend:eur": 10**11, "imari-fx:rwf": 10**13}
SWITCH_INTERVAL_S = 0.0005
# Customers' names, senders and receivers, drawn from the names corpora (most repeat, as first names do).
CUSTOMER_NAMES = 5_000


def _sim_process(config: Any, conn: Any) -> None:
    """A mobile-money simulator in its own process (an operator's system is not the server's)."""
    from inzira.sim.momo import serve

    with serve(config) as sim:
        conn.send((sim.base_url, os.getpid()))
        conn.recv()  # until the benchmark is done


@contextlib.contextmanager
def _simulator(config: Any) -> Any:
    from inzira.sim.momo import MomoSimAdmin, RunningMomoSim

    with served_child(_sim_process, config, "the mobile-money simulator") as (base_url, pid):
        admin = MomoSimAdmin(base_url, config.admin_token)
        try:
            yield RunningMomoSim(base_url, config, admin), pid
        finally:
            admin.close()


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


def _server_threads() -> dict[int, str]:
    """Native thread id -> name, for the server process's own threads."""
    return {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}


def _cpu(groups: dict[str, list[int]], threads: dict[int, str]) -> dict[str, float]:
    seconds = cpu.snapshot(groups)
    me = os.getpid()
    for tid, name in threads.items():
        seconds[f"server thread {name}"] = cpu.thread_cpu_seconds(me, tid)
    return seconds


def _breakdown(used_s: dict[str, float], done: int, idle_too: bool) -> dict[str, float]:
    """CPU ms per complete remittance, by process (``idle_too``: also those that used none) or by thread of
    the server (those that used some), largest first."""
    per = {name: round(1000 * s / done, 2) for name, s in used_s.items() if done and (idle_too or s > 0)}
    return dict(sorted(per.items(), key=lambda item: -item[1]))


def run(remittances: int, concurrency: int = 60, latency_ms: int = 50, data_dir: Path | None = None,
        on_progress: Callable[[str], None] | None = None, sanctions_entries: int = 10_000,
        latency_max_ms: int | None = 200) -> dict[str, Any]:
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
    latency_max_ms = latency_ms if latency_max_ms is None else max(latency_ms, latency_max_ms)
    with contextlib.ExitStack() as stack:
        net = stack.enter_context(Embedded(folder))
        keys = demo_keyring(folder)
        seed(net, keys)
        providers = Providers(net, keys, folder)
        stack.callback(providers.close)
        fsps = ["eurosend", "mobimo", "ubumwe"]
        config = MomoSimConfig(float_minor=10**15, pending_max=100_000, callbacks_in_flight_max=10_000,
                               behaviour=Behaviour(latency_ms=latency_ms, latency_max_ms=latency_max_ms))
        started = {fsp: stack.enter_context(_simulator(config)) for fsp in ("mobimo", "ubumwe")}
        sims = {fsp: sim for fsp, (sim, _pid) in started.items()}
        fx_url, fx_pid = stack.enter_context(desk_process(DeskConfig.of(
            providers.fx_desk, key_path(folder, providers.fx_member), providers.fx_tokens)))
        fx = FxClient(net.node, providers.fx_member, {m: providers.fx_tokens[m] for m in fsps}, fx_url)
        sanctions_file = None
        list_entries = 0
        if sanctions_entries:
            say(f"writing a generated sanctions list of {sanctions_entries} entries")
            sanctions_file = folder / "sanctions-generated.xml"
            now = datetime.now(timezone.utc).isoformat()  # a list as fresh as a service would load
            entries = generated_list(sanctions_entries, generated_at=now)
            list_entries = len(entries.entries)
            sanctions_file.write_bytes(un_list_xml(entries))
        service = RemitService(net, keys.ports(net, fsps), folder, RemitSettings(
            payout_adapters={fsp: sim.adapter_config(connections_max=4) for fsp, sim in sims.items()},
            sanctions_file=sanctions_file), fx=fx, funding=providers.funding_client(fsps))
        service.start()
        stack.callback(service.stop)
        tokens = load_api_keys(folder)
        operator = DirectoryOperator(keys.port(net, operator_member(net.node.state.members.values())),
                                     folder / "directory-operator", DirectorySettings(
            declared_daily_transfers={"eurosend": 10**9}), {t: m for m, t in tokens.items()})
        stack.callback(operator.close)
        say("setting up wallets and the directory")
        numbers = _setup(net, keys, sims, operator)
        app = create_app(net, routers=providers.routers(fx=False))
        mount_remit(app, service)
        mount_directory(app, operator)
        served = service.serve_http(app)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        service.connect_payout_callbacks(served.base_url)
        token = tokens["eurosend"]
        say(f"running {remittances} remittances with {concurrency} customers at a time")
        start_height = net.node.height
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            names = customer_names(CUSTOMER_NAMES)
            pool.submit(remit_load.run, served.base_url, token, numbers, min(50, remittances), concurrency, 1,
                        names).result()
            load_pid = pool.submit(remit_load.pid).result()
            others = {load_pid, fx_pid, *(pid for _sim, pid in started.values())}
            groups = {"server": [os.getpid(), *(c for c in cpu.children(os.getpid()) if c not in others)],
                      "load (customers)": [load_pid], "fx desk": [fx_pid],
                      **{f"operator {fsp}": [pid] for fsp, (_sim, pid) in started.items()}}
            threads = _server_threads()
            cpu_before = _cpu(groups, threads)
            result = pool.submit(remit_load.run, served.base_url, token, numbers, remittances, concurrency, 2,
                                 names).result()
            cpu_after = _cpu(groups, threads)
        blocks = net.node.height - start_height
        net.node.state.check_invariants()
        load_1m, load_5m, _ = os.getloadavg()
    latencies = result["latencies"]
    done = len(latencies)
    used_s = cpu.used(cpu_before, cpu_after)
    processes_s = {name: used_s[name] for name in groups}
    server_threads_s = {name: s for name, s in used_s.items() if name.startswith("server thread ")}
    return {
        "benchmark": "remit",
        "remittances": done,
        "held": result["held"],
        "failed": sum(result["failures"].values()),
        "failures": result["failures"],
        "seconds": round(result["seconds"], 3),
        "remittances_per_s": round(done / result["seconds"], 1) if result["seconds"] else 0.0,
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "transfer_p50_ms": percentile_ms(result["transfer_latencies"], 0.50),
        "transfer_p99_ms": percentile_ms(result["transfer_latencies"], 0.99),
        "concurrency": concurrency,
        "payout_latency_ms": [latency_ms, latency_max_ms],
        "http_requests_per_remittance": 3,
        "switch_interval_s": SWITCH_INTERVAL_S,
        "blocks": blocks,
        "list_entries": list_entries or "sample",
        "server_cpu_ms_per_remittance": round(1000 * processes_s["server"] / done, 2) if done else 0.0,
        "all_cpu_ms_per_remittance": round(1000 * sum(processes_s.values()) / done, 2) if done else 0.0,
        # CPU of the server process (all its threads), as a share of one core: ~100 means the GIL is the limit.
        "server_cpu_percent": round(100 * processes_s["server"] / result["seconds"], 1) if result["seconds"] else 0.0,
        "cpu_ms_per_remittance": _breakdown(processes_s, done, idle_too=True),
        "server_threads_cpu_ms_per_remittance": _breakdown(server_threads_s, done, idle_too=False),
        "load_average": [round(load_1m, 2), round(load_5m, 2)],
        "data": str(folder) if data_dir else None,
        **machine(),
    }
