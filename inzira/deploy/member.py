"""One member's own deployment: its peer, and the services of its roles, holding that member's key only.

    deployment = MemberDeployment(peer_folder, Links(fx_url=..., fx_token=..., funding_urls={...}, ...))
                                    # or Links.load(path) (inzira.deploy.links)
    deployment.start()      # the peer (from peer.json, its own key in keys/<member>.key), then the services
    ...
    deployment.stop()

What runs depends on the member's roles in the ledger state, each with the member's own port
(``inzira.node.custody``) and nothing else that signs:
- sending or receiving FSP: the remittance service (``/v1/remit``); firm quotes come from the FX provider's
  quote service (``Links.fx_url`` with the client token it issued this member), funding from the issuers'
  funding APIs (``Links.funding_urls``, ``Links.funding_token``); a receiving FSP pays out through
  ``Links.payout`` (a payout adapter configuration); numbers are looked up and listed through the directory
  operator's API (``Links.directory_url`` with the token it issued this member); a receiving FSP with a payout
  adapter answers sending FSPs' deployments at ``/v1/fsp/{fsp}/...`` (requests signed by their member keys), and
  a sending FSP reaches receiving FSPs' deployments at ``Links.receiving_fsp_urls``;
- acquirer or wallet issuer: the QR payment service (``/v1/qr``), quoting the same way;
- FX provider: its quote service (``/fx/v1``), answering the clients in its ``fx-clients.json``;
- directory operator: the directory's API (``/v1/directory``, see ``inzira.directory.deployment``);
- issuer: its funding desk (``/funding/v1``), for the clients in ``funding-clients.json`` and its officers in
  ``funding-officers.json`` (both created on first start, mode 0600), settling in the background the approvals
  it saw no verdict for (``inzira.funding.settler``).
All on the peer's own HTTP API (the ledger API for the member's token, ``/v1/peer/...``), one server, with the
block explorer at ``/`` for this member only: every page needs the member signed in with its own API token
and shows what the API shows it (``inzira.web.explorer_access``). No role buttons: those are the demo's.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from fastapi import FastAPI

from inzira.api.server import ServedApp, serve_in_thread
from inzira.api.token_files import ensure_tokens
from inzira.api.tokens import TokenBook
from inzira.deploy.links import Links
from inzira.directory.api import mount_directory
from inzira.directory.deployment import operator_for_peer
from inzira.directory.operator import DirectoryOperator
from inzira.funding.api import FUNDING_CLIENTS_FILE, FUNDING_OFFICERS_FILE, funding_router
from inzira.funding.client import FundingClient
from inzira.funding.desk import FundingDesk
from inzira.funding.settler import Settler
from inzira.funding.store import DB_FILE as FUNDING_DB_FILE
from inzira.funding.store import FundingStore
from inzira.fx.client import FxClient
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.fx.service import FX_CLIENTS_FILE, fx_router
from inzira.node.signer import wall_clock_ms
from inzira.peer.api import build_app
from inzira.peer.config import RUN_FILE, write_run_file
from inzira.peer.service import START_TIMEOUT_S, Peer
from inzira.qr.api import prioritize, qr_routers
from inzira.qr.service import QrService
from inzira.qr.settings import QrSettings
from inzira.remit.api import mount_fsp, mount_remit
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.web.explorer import explorer_router, mount_static
from inzira.web.explorer_access import MemberAccess
from inzira.web.funding import funding_pages

OFFICERS = ("officer-1", "officer-2")


class MemberDeployment:
    def __init__(self, folder: Path, links: Links, host: str | None = None, port: int | None = None) -> None:
        self.folder = folder
        self.links = links
        self.host = host
        self.port = port
        self.peer: Peer | None = None
        self.remit: RemitService | None = None
        self.qr: QrService | None = None
        self.fx_desk: FxDesk | None = None
        self.funding: FundingDesk | None = None
        self.funding_settler: Settler | None = None
        self.served: ServedApp | None = None
        self._stack = contextlib.ExitStack()

    @property
    def member(self) -> str:
        if self.peer is None:
            raise RuntimeError("the deployment has not started")
        return self.peer.member

    def start(self, timeout_s: float = START_TIMEOUT_S) -> "MemberDeployment":
        try:
            peer = self.peer = Peer(self.folder)
            self._stack.callback(peer.stop)
            # A directory.json to fix is said at once, as the peer process does, not after the wait for the network.
            directory = operator_for_peer(self.folder, peer.port)
            if directory is not None:
                self._stack.callback(directory.close)
            peer.start()
            peer.wait_ready(timeout_s)
            app = build_app(peer)
            self._services(peer, app, directory)
            access = MemberAccess(peer.node, TokenBook(peer.runtime.api_tokens))
            app.include_router(explorer_router(peer.runtime, access=access))
            mount_static(app)
            host = self.host or peer.config.api_host
            served = self.served = serve_in_thread(app, host, self.port if self.port is not None
                                                   else peer.config.api_port,
                                                   allowed_hosts=peer.config.allowed_hosts)[0]
            self._stack.callback(served.stop)
            peer.api_url = served.base_url
            write_run_file(self.folder, peer.member, served.base_url)  # `inzira network status` shows it
            self._stack.callback((self.folder / RUN_FILE).unlink, missing_ok=True)
        except BaseException:
            self.stop()
            raise
        return self

    def _services(self, peer: Peer, app: FastAPI, directory: DirectoryOperator | None) -> None:
        member, links, node = peer.member, self.links, peer.node
        roles = set(node.state.members[member].roles)
        ports = {member: peer.port}
        fx = FxClient(node, links.fx_member, {member: links.fx_token}, links.fx_url)
        if roles & {"sending_fsp", "receiving_fsp"}:
            payout = {member: links.payout} if links.payout and "receiving_fsp" in roles else {}
            funding = FundingClient({member: links.funding_token}, links.funding_urls)
            remit = self.remit = RemitService(peer.runtime, ports, self.folder,
                                              RemitSettings(fx_member=links.fx_member, payout_adapters=payout,
                                                            webhook_allowed_networks=links.webhook_allowed_networks,
                                                            receiving_fsp_urls=links.receiving_fsp_urls
                                                            if "sending_fsp" in roles else {}),
                                              fx=fx, funding=funding)
            remit.start()
            self._stack.callback(remit.stop)
            mount_remit(app, remit)
            if payout:
                mount_fsp(app, remit)
            if links.directory_url:
                remit.directory.connect(links.directory_url, {member: links.directory_token})
        acquirer, issuer = "acquirer" in roles, "wallet_issuer" in roles and bool(links.wallet_currencies)
        if acquirer or issuer:
            settings = QrSettings(acquirers=(member,) if acquirer else (),
                                  wallet_currencies={member: links.wallet_currencies} if issuer else {},
                                  fx_provider=links.fx_member,
                                  webhook_allowed_networks=links.webhook_allowed_networks)
            qr = self.qr = QrService(peer.runtime, ports, self.folder, settings, fx=fx)
            qr.start()
            self._stack.callback(qr.stop)
            for router in qr_routers(qr):
                app.include_router(router)
            prioritize(app)
            app.state.on_server_stop.append(qr.close_streams)
            app.state.on_loop_end.append(qr.aclose)
        others = sorted(m for m in node.state.members if m != member)
        if directory is not None:
            mount_directory(app, directory)
        if "fx_provider" in roles:
            now_ms = wall_clock_ms()
            age_max_ms = links.rates_max_age_s * 1000
            rates = (RateSource.file(links.rates_file, now_ms, age_max_ms) if links.rates_file
                     else RateSource.demo(now_ms, age_max_ms))
            self.fx_desk = FxDesk(peer.port, rates)
            app.include_router(fx_router(self.fx_desk, ensure_tokens(self.folder / FX_CLIENTS_FILE, others, "fxc-"),
                                         wall_clock_ms))
        if "issuer" in roles:
            store = FundingStore(self.folder / FUNDING_DB_FILE)
            self._stack.callback(store.close)
            self.funding = FundingDesk(ports, store)
            asyncio.run(self.funding.recover())
            settler = self.funding_settler = Settler(self.funding.settlement, self.funding.clock_ms).start()
            self._stack.callback(settler.stop)  # before the store closes
            clients = ensure_tokens(self.folder / FUNDING_CLIENTS_FILE, others, "fdc-")
            officers = ensure_tokens(self.folder / FUNDING_OFFICERS_FILE, [f"{member}/{o}" for o in OFFICERS], "fo-")
            app.include_router(funding_router(self.funding, clients, officers))
            app.include_router(funding_pages(self.funding, officers))
        app.openapi_schema = None

    def stop(self) -> None:
        """The server first (no new work), then the services, then the peer."""
        self._stack.close()

    def __enter__(self) -> "MemberDeployment":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
