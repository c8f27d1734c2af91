"""The demo, composed: the embedded network, its seeding, the remittance service (with a mobile-money
simulator per receiving FSP), the HTTP API and the web pages, on one server."""

from __future__ import annotations

from pathlib import Path

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.demo.seed import SeedReport, seed
from inzira.demo.setup import create_demo_network
from inzira.node.embedded import Embedded
from inzira.node.reader import GENESIS_FILE
from inzira.node.signer import wall_clock_ms
from inzira.remit.api import mount_remit
from inzira.remit.demo import RemitDemo
from inzira.web.explorer import explorer_router, mount_static
from inzira.web.remit import remit_pages_router


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
            app = create_app(runtime, routers=[explorer_router(runtime)])
            app.include_router(remit_pages_router(self.remit.service, runtime.api_tokens))  # type: ignore[arg-type]
            mount_remit(app, self.remit.service)  # type: ignore[arg-type]
            mount_static(app)
            self.served, self.port = serve_in_thread(app, self.host, self.port)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()
        if self.remit is not None:
            self.remit.stop()
        if self.runtime is not None:
            self.runtime.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"
