"""The remittance service as the demo runs it: a mobile-money simulator for each receiving FSP (MobiMo,
Ubumwe) with fictional wallets, the directory operator (the central bank in the demo), the wallets' numbers
listed through it, and the service.

    remit = RemitDemo(runtime, ports, data_dir, fx=fx_client, funding=funding_client).start()
    app = create_app(runtime, routers=[...])
    mount_remit(app, remit.service)
    mount_directory(app, remit.operator)
    ... serve app ...
    remit.connect(api_url)     # the service reaches the operator there; the demo wallets are listed
    ...
    remit.stop()

The simulators keep their books in the data folder (momo-<fsp>.db), so wallets and payouts survive restarts.
The operator keeps its hash key and records in its own folder (directory-operator/), which the service never
reads; it confirms wallets through the simulators' account-holder API, as it would through each FSP's own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from inzira.demo.setup import load_api_keys
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.funding.client import FundingClient
from inzira.fx.client import FxClient
from inzira.node.custody import MemberPort
from inzira.remit.runtime import RemitRuntime
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve

REGISTER_TIMEOUT_S = 30.0
OPERATOR_DIR = "directory-operator"
FLOAT_MINOR = 10_000_000_000  # RWF each operator can disburse

# Fictional wallet holders (receiving FSP -> (MSISDN, given name, family name)).
DEMO_WALLETS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "mobimo": (("250788123456", "Jeanne", "Uwase"), ("250788234567", "Eric", "Mugisha"),
               ("250789345678", "Aline", "Mukamana"), ("250788456789", "Claude", "Habimana")),
    "ubumwe": (("250722123456", "Diane", "Ingabire"), ("250733234567", "Patrick", "Niyonzima"),
               ("250728345678", "Grace", "Uwimana")),
}


class RemitDemo:
    def __init__(self, runtime: RemitRuntime, ports: Mapping[str, MemberPort], data_dir: Path,
                 settings: RemitSettings | None = None,
                 wallets: dict[str, tuple[tuple[str, str, str], ...]] | None = None,
                 directory_settings: DirectorySettings | None = None, *, fx: FxClient, funding: FundingClient,
                 operator: MemberPort) -> None:
        """``ports``: the FSPs' the service acts for; ``operator``: the directory operator's own port."""
        self.runtime = runtime
        self.ports = ports
        self.fx = fx
        self.funding = funding
        self.operator_port = operator
        self.data_dir = data_dir
        self.settings = settings or RemitSettings()
        self.directory_settings = directory_settings or DirectorySettings()
        self.wallets = DEMO_WALLETS if wallets is None else wallets
        self.sims: dict[str, RunningMomoSim] = {}
        self.service: RemitService | None = None
        self.operator: DirectoryOperator | None = None
        self._stack = contextlib.ExitStack()

    def start(self) -> "RemitDemo":
        try:
            for fsp in self.wallets:
                config = MomoSimConfig(float_minor=FLOAT_MINOR, db_path=str(self.data_dir / f"momo-{fsp}.db"))
                self.sims[fsp] = self._stack.enter_context(serve(config))
            adapters = {fsp: sim.adapter_config() for fsp, sim in self.sims.items()}
            tokens = {token: member for member, token in load_api_keys(self.data_dir).items()}
            self.operator = DirectoryOperator(self.operator_port, self.data_dir / OPERATOR_DIR,
                                              replace(self.directory_settings, account_holder_apis=adapters), tokens)
            self._stack.callback(self.operator.close)
            service = self.service = RemitService(self.runtime, self.ports, self.data_dir,
                                                  replace(self.settings, payout_adapters={
                                                      **self.settings.payout_adapters, **adapters}), fx=self.fx,
                                                  funding=self.funding)
            service.start()
            self._stack.callback(service.stop)
            for fsp, holders in self.wallets.items():
                for msisdn, given, family in holders:
                    if self.sims[fsp].admin.wallet(msisdn) is None:
                        self.sims[fsp].admin.create_wallet(msisdn, given, family)
        except BaseException:
            self._stack.close()
            raise
        return self

    def connect(self, api_url: str) -> None:
        """The service reaches the directory operator at ``api_url`` (the server that mounts it), and each
        receiving FSP asks it to list its demo wallets (already listed ones are answered as they are)."""
        if self.service is None:
            raise RuntimeError("start the remittance demo first")
        service = self.service
        service.directory.connect(api_url, load_api_keys(self.data_dir))
        for fsp, holders in self.wallets.items():
            for msisdn, _given, _family in holders:
                service.submit(service.register_number(fsp, "+" + msisdn)).result(REGISTER_TIMEOUT_S)

    def stop(self) -> None:
        self._stack.close()
