"""The remittance server the crash test kills: what ``inzira bench remit`` composes, in a process of its own.

    python -m tests.remit_crash.server DATA_FOLDER PORT PARTIES_JSON

The embedded network, the remittance service (eurosend sends; mobimo and ubumwe pay out through the operators'
simulators), the directory operator, the issuers' funding API and the HTTP API on 127.0.0.1:PORT, on the data
folder ``prepare`` made. The operators' simulators and the FX provider's desk run in other processes (their
addresses and credentials are in PARTIES_JSON), so they outlive a SIGKILL of this one. Prints ``ready`` once
served; stops gracefully on SIGTERM.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from inzira.api.app import create_app
from inzira.bench.fx_desk import DeskConfig
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, key_path, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator, operator_member
from inzira.directory.settings import DirectorySettings
from inzira.fx.client import FxClient
from inzira.ledger.codes import Code
from inzira.ledger.tx import SetParty
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms
from inzira.remit.api import mount_remit
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings

SENDING, RECEIVING = "eurosend", ("mobimo", "ubumwe")
BLOCK_INTERVAL_MS = 10
SETUP_TIMEOUT_S = 60.0
STOPPED_WAIT_S = 600.0  # the test stops the server long before this; never wait for ever


def _operator(net: Embedded, data: Path, adapters: dict[str, Any]) -> DirectoryOperator:
    keys = demo_keyring(data)
    tokens = load_api_keys(data)
    return DirectoryOperator(keys.port(net, operator_member(net.node.state.members.values())),
                             data / "directory-operator",
                             DirectorySettings(account_holder_apis=adapters, declared_daily_transfers={SENDING: 10**9}),
                             {t: m for m, t in tokens.items()})


def prepare(data: Path, adapters: dict[str, Any], numbers: dict[str, Iterable[str]]) -> DeskConfig:
    """A new seeded network in ``data`` with each FSP's numbers listed (E.164), and the FX provider's desk as
    its own process will run it."""
    create_demo_network(data, wall_clock_ms() - 1_000)
    with Embedded(data, block_interval_ms=BLOCK_INTERVAL_MS) as net:
        keys = demo_keyring(data)
        seed(net, keys)
        providers = Providers(net, keys, data)  # writes the FX and funding client tokens the server reads
        operator = _operator(net, data, adapters)
        try:
            port = keys.port(net, operator.member)
            tickets = [net.submit(port.sign(SetParty(operator.party_hash(n), True, fsp)))
                       for fsp, listed in numbers.items() for n in listed]
            for ticket in tickets:
                code = ticket.result(SETUP_TIMEOUT_S).code
                if code != Code.OK:
                    raise RuntimeError(f"listing a number failed with code {code}")
            return DeskConfig.of(providers.fx_desk, key_path(data, providers.fx_member), providers.fx_tokens)
        finally:
            operator.close()
            providers.close()


def main(data: Path, port: int, parties: dict[str, Any]) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    adapters = parties["adapters"]
    fsps = [SENDING, *RECEIVING]
    with contextlib.ExitStack() as stack:
        net = stack.enter_context(Embedded(data, block_interval_ms=BLOCK_INTERVAL_MS))
        keys = demo_keyring(data)
        providers = Providers(net, keys, data)
        stack.callback(providers.close)
        fx = FxClient(net.node, providers.fx_member, {m: providers.fx_tokens[m] for m in fsps}, parties["fx_url"])
        service = RemitService(net, keys.ports(net, fsps), data,
                               RemitSettings(payout_adapters=adapters, reconcile_interval_ms=200),
                               fx=fx, funding=providers.funding_client(fsps))
        service.start()
        stack.callback(service.stop)
        operator = _operator(net, data, adapters)
        stack.callback(operator.close)
        app = create_app(net, routers=providers.routers(fx=False))
        mount_remit(app, service)
        mount_directory(app, operator)
        served = service.serve_http(app, port=port)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        providers.start_settling()
        service.directory.connect(served.base_url, load_api_keys(data))
        service.connect_payout_callbacks(served.base_url)
        print("ready", flush=True)
        stopped.wait(STOPPED_WAIT_S)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text()))
