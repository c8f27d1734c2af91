"""The demo's one-process composition of the parties the FSPs' services call: the FX provider's quote service
and the issuers' funding desk, each acting with its own port only (``inzira.node.custody``).

    keys = demo_keyring(data_dir)                   # the composition root alone holds the keys
    providers = Providers(runtime, keys, data_dir)  # FX desk with imari-fx's port, funding with sbk's and cbr's
    app.include_router(...) for each of providers.routers()
    providers.connect(api_url)                      # the FX and funding clients handed out call this server
    remit = RemitService(runtime, keys.ports(runtime, fsps), ..., fx=providers.fx_client(fsps),
                         funding=providers.funding_client(fsps))

Each party keeps the credentials it issues in the data folder: ``fx-clients.json`` (the FX provider's client
tokens, one per member), ``funding-clients.json`` (the issuers' client tokens), ``funding-officers.json`` (the
issuers' officers, two each: "<issuer>/officer-1", "<issuer>/officer-2").
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from fastapi import APIRouter

from inzira.api.token_files import ensure_tokens
from inzira.funding.api import FUNDING_CLIENTS_FILE, FUNDING_OFFICERS_FILE, funding_router
from inzira.funding.client import FundingClient
from inzira.funding.desk import FundingDesk
from inzira.funding.settler import SETTLE_INTERVAL_MS, Settler
from inzira.funding.store import DB_FILE as FUNDING_DB_FILE
from inzira.funding.store import FundingStore
from inzira.fx.client import FxClient
from inzira.fx.desk import DEFAULT_SPREAD_BPS, FxDesk
from inzira.fx.rate_source import RateSource
from inzira.fx.service import FX_CLIENTS_FILE, fx_router
from inzira.node.custody import Keyring, Ledger
from inzira.node.signer import wall_clock_ms
from inzira.web.funding import funding_pages

FX_MEMBER = "imari-fx"
OFFICERS_PER_ISSUER = 2


class Providers:
    def __init__(self, runtime: Ledger, keys: Keyring, data_dir: Path, rates: RateSource | None = None,
                 spread_bps: int = DEFAULT_SPREAD_BPS, clock_ms: Callable[[], int] = wall_clock_ms,
                 settle_interval_ms: int = SETTLE_INTERVAL_MS) -> None:
        """``settle_interval_ms``: how often the funding desk settles the approvals it saw no verdict for."""
        self.runtime = runtime
        self.clock_ms = clock_ms
        members = sorted(runtime.node.state.members)
        self.fx_member = FX_MEMBER
        self.fx_desk = FxDesk(keys.port(runtime, FX_MEMBER), rates or RateSource.demo(clock_ms()), spread_bps)
        self.fx_tokens = ensure_tokens(data_dir / FX_CLIENTS_FILE, [m for m in members if m != FX_MEMBER], "fxc-")
        self.issuers = tuple(sorted(set(runtime.node.genesis.issuers().values())))
        self.funding = FundingDesk(keys.ports(runtime, self.issuers), FundingStore(data_dir / FUNDING_DB_FILE),
                                   clock_ms=clock_ms)
        self.settler = Settler(self.funding.settlement, clock_ms, settle_interval_ms)
        self.funding_tokens = ensure_tokens(data_dir / FUNDING_CLIENTS_FILE,
                                            [m for m in members if m not in self.issuers], "fdc-")
        self.officer_tokens = ensure_tokens(
            data_dir / FUNDING_OFFICERS_FILE,
            [f"{i}/officer-{n}" for i in self.issuers for n in range(1, OFFICERS_PER_ISSUER + 1)], "fo-")
        self._fx_clients: list[FxClient] = []
        self._funding_clients: list[FundingClient] = []
        self.base_url = ""

    def routers(self, fx: bool = True) -> list[APIRouter]:
        """The FX quote service (unless ``fx`` is False: it is served elsewhere), the issuers' funding API and
        their officers' page (/funding)."""
        funding = [funding_router(self.funding, self.funding_tokens, self.officer_tokens),
                   funding_pages(self.funding, self.officer_tokens, self.clock_ms)]
        return [fx_router(self.fx_desk, self.fx_tokens, self.clock_ms), *funding] if fx else funding

    def fx_client(self, members: Iterable[str]) -> FxClient:
        """A client of the FX quote service holding the credentials of ``members`` only."""
        client = FxClient(self.runtime.node, self.fx_member, {m: self.fx_tokens[m] for m in members},
                          self.base_url)
        self._fx_clients.append(client)
        return client

    def funding_client(self, members: Iterable[str]) -> FundingClient:
        client = FundingClient({m: self.funding_tokens[m] for m in members if m in self.funding_tokens},
                               {i: self.base_url for i in self.issuers} if self.base_url else {})
        self._funding_clients.append(client)
        return client

    def connect(self, base_url: str) -> None:
        """The server holding ``routers()`` answers at ``base_url``: point every client handed out at it."""
        self.base_url = base_url.rstrip("/")
        for fx in self._fx_clients:
            fx.connect(self.base_url)
        for funding in self._funding_clients:
            funding.connect(self.issuers, self.base_url)

    def start_settling(self) -> int:
        """Carry out approvals a previous run signed but saw no verdict for (before taking new work), then settle
        those left approving in the background; how many the recovery found."""
        recovered = asyncio.run(self.funding.recover())
        self.settler.start()
        return recovered

    def officer_token(self, issuer: str, n: int = 1) -> str:
        return self.officer_tokens[f"{issuer}/officer-{n}"]

    def close(self) -> None:
        self.settler.stop()
        self.funding.store.close()
