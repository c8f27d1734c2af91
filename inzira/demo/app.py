"""The demo, composed: the embedded network, its seeding, the remittance service (with a mobile-money
simulator per receiving FSP, and the directory operator's API under /v1/directory), the QR payment service
(with a card acquirer simulator per wallet issuer, a demo merchant and visitor wallet), the FX provider's quote
service, the issuers' funding desk, the HTTP API and the web pages, on one server.

This is the composition root: it alone loads the members' keys, and hands each service the ports of the
members that service acts for (``inzira.node.custody``): the remittance service the sending and receiving
FSPs', the directory operator the central bank's, the QR service the acquirers' and wallet issuers', the FX
quote service the FX provider's, the funding desk the issuers'. No service can sign for a member it was not
given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.demo.providers import Providers
from inzira.demo.seed import SeedReport, seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import operator_member
from inzira.funding.settler import SETTLE_INTERVAL_MS
from inzira.fx.rate_source import RateSource
from inzira.interop.mojaloop.demo import (GATEWAY_MEMBER, HUB_FSP_ID, check_gateway_member, payout_route,
                                         start_gateway)
from inzira.interop.mojaloop.gateway import Gateway
from inzira.node.embedded import Embedded
from inzira.node.reader import GENESIS_FILE
from inzira.node.signer import wall_clock_ms
from inzira.qr.api import QR_BODY_LIMITS, prioritize, qr_routers
from inzira.qr.card_demo import CardDemo
from inzira.qr.service import QrService
from inzira.qr.settings import QrSettings
from inzira.remit.api import mount_fsp, mount_remit
from inzira.remit.demo import RemitDemo
from inzira.remit.settings import RemitSettings
from inzira.web.explorer import explorer_router, mount_static
from inzira.web.qr import QR_PAGE_BODY_LIMITS, DemoCustomers, QrPages, ensure_demo_customers
from inzira.web.remit import remit_pages_router

ANY_ADDRESS = ("0.0.0.0", "::", "")


class Demo:
    """Start with ``start()``, stop with ``stop()``; the data folder keeps the chain between runs."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 8000, seed_accounts: bool = True, *,
                 trusted_proxies: Sequence[str] = (), mojaloop_hub: str | None = None,
                 mojaloop_hub_id: str = HUB_FSP_ID, webhook_allowed_networks: Sequence[str] = (),
                 allowed_hosts: Sequence[str] = (), settle_interval_ms: int = SETTLE_INTERVAL_MS):
        """``trusted_proxies``: the reverse proxies (ending TLS) whose X-Forwarded-Proto and X-Forwarded-For
        are believed (see ``inzira.api.server``). ``mojaloop_hub``: run the eKash gateway, FSPIOP at /fspiop,
        sending its requests and callbacks to this URL; ``mojaloop_hub_id``: the hub's FSP id, the only source
        of PATCH and abort notifications it believes. ``webhook_allowed_networks``: the non-public networks
        (CIDR) members' and acquirers' webhooks may reach (none by default: loopback, private and link-local
        targets are refused, the demo's own host included). ``allowed_hosts``: the host names it answers for
        besides this machine's (``inzira.api.host_check``). ``settle_interval_ms``: how often the issuers' funding
        desk settles the approvals it saw no verdict for (``inzira.funding.settler``)."""
        self.settle_interval_ms = settle_interval_ms
        self.mojaloop_hub = mojaloop_hub
        self.mojaloop_hub_id = mojaloop_hub_id
        self.gateway: Gateway | None = None
        self.data_dir = data_dir
        self.trusted_proxies = tuple(trusted_proxies)
        self.webhook_allowed_networks = tuple(webhook_allowed_networks)
        self.allowed_hosts = tuple(allowed_hosts)
        self.host = host
        self.port = port
        self.seed_accounts = seed_accounts
        self.created = False
        self.runtime: Embedded | None = None
        self.served: ServedApp | None = None
        self.seeded: SeedReport | None = None
        self.remit: RemitDemo | None = None
        self.qr: QrService | None = None
        self.cards: CardDemo | None = None
        self.qr_pages: QrPages | None = None
        self.qr_demo: DemoCustomers | None = None
        self.providers: Providers | None = None

    def start(self) -> None:
        if not (self.data_dir / GENESIS_FILE).exists():
            create_demo_network(self.data_dir, wall_clock_ms(), with_gateway=self.mojaloop_hub is not None)
            self.created = True
        runtime = self.runtime = Embedded(self.data_dir)
        runtime.start()
        try:
            keys = demo_keyring(self.data_dir)
            if self.seed_accounts:
                self.seeded = seed(runtime, keys)
            rates = RateSource.demo(wall_clock_ms())
            providers = self.providers = Providers(runtime, keys, self.data_dir, rates,
                                                   settle_interval_ms=self.settle_interval_ms)
            fsps = sorted(m.id for m in runtime.node.state.members.values()
                          if {"sending_fsp", "receiving_fsp"} & set(m.roles))
            operator = keys.port(runtime, operator_member(runtime.node.state.members.values()))
            if self.mojaloop_hub:
                check_gateway_member(runtime.node.state.members)
            # With the gateway, remittances to numbers Inzira does not know are paid out through eKash.
            remit_settings = payout_route(self.mojaloop_hub, self.data_dir, self.mojaloop_hub_id) if self.mojaloop_hub \
                else RemitSettings()
            remit_settings = replace(remit_settings, webhook_allowed_networks=self.webhook_allowed_networks)
            self.remit = RemitDemo(runtime, keys.ports(runtime, fsps), self.data_dir, remit_settings,
                                   fx=providers.fx_client(fsps),
                                   funding=providers.funding_client(fsps), operator=operator).start()
            api_host = "127.0.0.1" if self.host in ANY_ADDRESS else self.host
            cards = self.cards = CardDemo(self.data_dir, QrSettings().wallet_currencies, api_host).start()
            qr_settings = replace(QrSettings(), card_acquirers=cards.links(),
                                  webhook_allowed_networks=self.webhook_allowed_networks)
            qr_members = sorted({*qr_settings.acquirers, *qr_settings.wallet_currencies})
            qr = self.qr = QrService(runtime, keys.ports(runtime, qr_members), self.data_dir, qr_settings,
                                     fx=providers.fx_client(qr_members),
                                     # merchants and wallet holders are screened against the remittance list
                                     screen=self.remit.service.screening.hold_reason).start()
            settings = ApiSettings(body_bytes_max_by_path={**QR_BODY_LIMITS, **QR_PAGE_BODY_LIMITS})
            app = create_app(runtime, settings=settings, routers=[explorer_router(runtime), *qr_routers(qr),
                                                                 *providers.routers()])
            prioritize(app)
            pages = self.qr_pages = QrPages(runtime.node, rates=rates.current)
            app.state.on_server_stop += [qr.close_streams, pages.close_streams]
            app.state.on_loop_end += [qr.aclose, pages.aclose]
            app.include_router(pages.router)
            app.include_router(remit_pages_router(self.remit.service, runtime.api_tokens,  # type: ignore[arg-type]
                                                 demo_sign_in=True))
            mount_remit(app, self.remit.service)  # type: ignore[arg-type]
            mount_fsp(app, self.remit.service)  # other deployments' sending FSPs reach its receiving FSPs here
            mount_directory(app, self.remit.operator)  # type: ignore[arg-type]
            if self.mojaloop_hub:
                self.gateway = start_gateway(app, self.mojaloop_hub, keys.port(runtime, GATEWAY_MEMBER),
                                             self.data_dir, self.remit.service, qr.directory,
                                             qr.external.record, self.mojaloop_hub_id)
            mount_static(app)
            self.served, self.port = serve_in_thread(app, self.host, self.port, trusted_proxies=self.trusted_proxies,
                                                     allowed_hosts=self.allowed_hosts)
            api_url = f"http://{api_host}:{self.port}"
            providers.connect(api_url)
            providers.start_settling()
            cards.connect(api_url)
            self.remit.connect(api_url)
            if self.seed_accounts:  # the demo wallet's top-up needs the issuer's seeded float
                tokens = load_api_keys(self.data_dir)
                self.qr_demo = ensure_demo_customers(api_url, self.data_dir, tokens[qr.settings.acquirers[0]],
                                                     tokens[next(iter(qr.settings.wallet_currencies))])
            pages.connect(api_url, self.qr_demo)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """The server first (no new work), the funding desk's settler and book, the services, the ledger, then the
        QR service (its store writes the verdicts the ledger gave while stopping)."""
        if self.served is not None:
            self.served.stop()
        if self.providers is not None:
            self.providers.close()
        if self.gateway is not None:
            self.gateway.stop()
        if self.remit is not None:
            self.remit.stop()
        if self.runtime is not None:
            self.runtime.stop()
        if self.qr is not None:
            self.qr.stop()
        if self.cards is not None:
            self.cards.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"
