"""The remittance service as the demo runs it: a mobile-money simulator for each receiving FSP (MobiMo,
Ubumwe) with fictional wallets, the wallets' numbers listed in the on-chain directory, and the service.

    remit = RemitDemo(runtime, ports, data_dir, fx=fx_client, funding=funding_client).start()
    app = create_app(runtime, routers=[...])
    mount_remit(app, remit.service)
    ...
    remit.stop()

The simulators keep their books in the data folder (momo-<fsp>.db), so wallets and payouts survive restarts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from inzira.funding.client import FundingClient
from inzira.fx.client import FxClient
from inzira.node.custody import MemberPort

from inzira.remit.parties import parse_number
from inzira.remit.runtime import RemitRuntime
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve

REGISTER_TIMEOUT_S = 30.0
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
                 wallets: dict[str, tuple[tuple[str, str, str], ...]] | None = None, *, fx: FxClient,
                 funding: FundingClient) -> None:
        self.runtime = runtime
        self.ports = ports
        self.fx = fx
        self.funding = funding
        self.data_dir = data_dir
        self.settings = settings or RemitSettings()
        self.wallets = DEMO_WALLETS if wallets is None else wallets
        self.sims: dict[str, RunningMomoSim] = {}
        self.service: RemitService | None = None
        self._stack = contextlib.ExitStack()

    def start(self) -> "RemitDemo":
        try:
            for fsp in self.wallets:
                config = MomoSimConfig(float_minor=FLOAT_MINOR, db_path=str(self.data_dir / f"momo-{fsp}.db"))
                self.sims[fsp] = self._stack.enter_context(serve(config))
            adapters = {fsp: sim.adapter_config() for fsp, sim in self.sims.items()}
            service = self.service = RemitService(self.runtime, self.ports, self.data_dir,
                                                  replace(self.settings, payout_adapters=adapters), fx=self.fx,
                                                  funding=self.funding)
            service.start()
            self._stack.callback(service.stop)
            for fsp, holders in self.wallets.items():
                for msisdn, given, family in holders:
                    if self.sims[fsp].admin.wallet(msisdn) is None:
                        self.sims[fsp].admin.create_wallet(msisdn, given, family)
                    if service.directory.fsp_for(parse_number("+" + msisdn)) is None:
                        service.submit(service.register_number(fsp, "+" + msisdn)).result(REGISTER_TIMEOUT_S)
        except BaseException:
            self._stack.close()
            raise
        return self

    def stop(self) -> None:
        self._stack.close()
