"""The demo, composed: the embedded network, its seeding, the remittance service (with a mobile-money
simulator per receiving FSP), the QR payment service (with a demo merchant and visitor wallet), the HTTP
API and the web pages, on one server."""

from __future__ import annotations

from pathlib import Path

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.demo.seed import SeedReport, seed
from inzira.demo.setup import create_demo_network, load_api_keys
from inzira.fx.rates import RateTable
from inzira.node.embedded import Embedded
from inzira.node.reader import GENESIS_FILE
from inzira.node.signer import wall_clock_ms
from inzira.qr.api import QR_BODY_LIMITS, prioritize, qr_routers
from inzira.qr.service import QrService
from inzira.remit.api import mount_remit
from inzira.remit.demo import RemitDemo
from inzira.web.explorer import explorer_router, mount_static
from inzira.web.qr import QR_PAGE_BODY_LIMITS, DemoCustomers, QrPages, ensure_demo_customers
from inzira.web.remit import remit_pages_router

ANY_ADDRESS = ("0.0.0.0", "::", "")


class Demo:
    """Start with ``start()``, stop with ``stop()``; the data folder keeps the chain between runs."""

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 8000, seed_accounts: bool = True):
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.seed_accounts = seed_accounts
        self.created = False
        self.runtime: Embedded | None = None
        self.served: ServedApp | None = None
        self.seeded: SeedReport | None = None
        self.remit: RemitDemo | None = None
        self.qr: QrService | None = None
        self.qr_pages: QrPages | None = None
        self.qr_demo: DemoCustomers | None = None

    def start(self) -> None:
        if not (self.data_dir / GENESIS_FILE).exists():
            create_demo_network(self.data_dir, wall_clock_ms())
            self.created = True
        runtime = self.runtime = Embedded(self.data_dir)
        runtime.start()
        try:
            if self.seed_accounts:
                self.seeded = seed(runtime)
            self.remit = RemitDemo(runtime, self.data_dir).start()
            rates = RateTable.demo()
            # QR merchants and wallet holders are screened against the remittance service's current list
            qr = self.qr = QrService(runtime, self.data_dir, rates=rates,
                                     screen=self.remit.service.screening.hold_reason).start()
            settings = ApiSettings(body_bytes_max_by_path={**QR_BODY_LIMITS, **QR_PAGE_BODY_LIMITS})
            app = create_app(runtime, settings=settings, routers=[explorer_router(runtime), *qr_routers(qr)])
            prioritize(app)
            pages = self.qr_pages = QrPages(runtime.node, rates=rates)
            app.state.on_server_stop += [qr.close_streams, pages.close_streams]
            app.include_router(pages.router)
            app.include_router(remit_pages_router(self.remit.service, runtime.api_tokens,  # type: ignore[arg-type]
                                                 demo_sign_in=True))
            mount_remit(app, self.remit.service)  # type: ignore[arg-type]
            mount_static(app)
            self.served, self.port = serve_in_thread(app, self.host, self.port)
            api_url = f"http://{'127.0.0.1' if self.host in ANY_ADDRESS else self.host}:{self.port}"
            if self.seed_accounts:  # the demo wallet's top-up needs the issuer's seeded float
                tokens = load_api_keys(self.data_dir)
                self.qr_demo = ensure_demo_customers(api_url, self.data_dir, tokens[qr.settings.acquirers[0]],
                                                     tokens[next(iter(qr.settings.wallet_currencies))])
            pages.connect(api_url, self.qr_demo)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """The server first (no new work), the services, the ledger, then the QR service (its store writes the
        verdicts the ledger gave while stopping)."""
        if self.served is not None:
            self.served.stop()
        if self.remit is not None:
            self.remit.stop()
        if self.runtime is not None:
            self.runtime.stop()
        if self.qr is not None:
            self.qr.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"
