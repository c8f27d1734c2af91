"""Serving the QR payment service on its own: an embedded demo network (created and seeded if new), a card
acquirer simulator for each wallet issuer, the ledger API, the QR routers and the FX provider's quote service (and
the issuers' funding desk) on one HTTP server; the QR service holds the acquirers' and wallet issuers' ports only.

Tests use ``QrServer`` in-process; ``inzira bench qr`` runs ``python -m inzira.qr.serve --data DIR
--wallet-limit-minor N`` in a process of its own, which prints one JSON line ``{"url": ...}`` once it serves
and stops when its standard input closes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from fastapi import FastAPI

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.node.embedded import Embedded
from inzira.node.reader import GENESIS_FILE
from inzira.node.signer import wall_clock_ms
from inzira.ordering.solo import BLOCK_INTERVAL_MS
from inzira.process import tune_gc
from inzira.qr.api import QR_BODY_LIMITS, prioritize, qr_routers
from inzira.qr.card_demo import CardDemo
from inzira.qr.name_screening import NameScreen
from inzira.qr.service import QrService
from inzira.qr.settings import QrSettings

STDIN_CHARS_MAX = 1


class QrServer:
    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 0, *, settings: QrSettings | None = None,
                 api_settings: ApiSettings | None = None, block_interval_ms: int = BLOCK_INTERVAL_MS,
                 screen: NameScreen | None = None, allowed_hosts: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.screen = screen
        self.allowed_hosts = allowed_hosts
        self.host = host
        self.port = port
        self.settings = settings or QrSettings()
        base = api_settings or ApiSettings()
        self.api_settings = dataclasses.replace(
            base, body_bytes_max_by_path={**base.body_bytes_max_by_path, **QR_BODY_LIMITS})
        self.block_interval_ms = block_interval_ms
        self.runtime: Embedded | None = None
        self.service: QrService | None = None
        self.cards: CardDemo | None = None
        self.app: FastAPI | None = None
        self.served: ServedApp | None = None
        self.providers: Providers | None = None

    def start(self) -> "QrServer":
        if not (self.data_dir / GENESIS_FILE).exists():
            create_demo_network(self.data_dir, wall_clock_ms() - 1_000)
        runtime = self.runtime = Embedded(self.data_dir, block_interval_ms=self.block_interval_ms)
        runtime.start()
        try:
            keys = demo_keyring(self.data_dir)
            seed(runtime, keys)
            providers = self.providers = Providers(runtime, keys, self.data_dir)
            settings = self.settings or QrSettings()
            if not settings.card_acquirers:  # the caller's own acquirers, or a simulator per issuer
                self.cards = CardDemo(self.data_dir, settings.wallet_currencies).start()
                settings = dataclasses.replace(settings, card_acquirers=self.cards.links())
            members = sorted({*settings.acquirers, *settings.wallet_currencies})
            service = self.service = QrService(runtime, keys.ports(runtime, members), self.data_dir, settings,
                                               fx=providers.fx_client(members), screen=self.screen).start()
            app = self.app = create_app(runtime, settings=self.api_settings,
                                        routers=[*qr_routers(service), *providers.routers()])
            prioritize(app)
            app.state.on_server_stop.append(service.close_streams)
            app.state.on_loop_end.append(service.aclose)
            self.served, self.port = serve_in_thread(app, self.host, self.port, allowed_hosts=self.allowed_hosts)
            providers.connect(self.base_url)
            providers.start_settling()
            if self.cards is not None:
                self.cards.connect(self.base_url)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """The HTTP server first (no new work), then the ledger (it commits what it took, and the service
        writes those verdicts), then the service (its writer commits what is queued), then the acquirers."""
        if self.served is not None:
            self.served.stop()
            self.served = None
        if self.runtime is not None:
            self.runtime.stop()
            self.runtime = None
        if self.service is not None:
            self.service.stop()
            self.service = None
        if self.providers is not None:
            self.providers.close()
            self.providers = None
        if self.cards is not None:
            self.cards.stop()
            self.cards = None

    def __enter__(self) -> "QrServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def api_tokens(self) -> dict[str, str]:
        """Member id -> API token (the demo data folder's api-keys.json)."""
        return load_api_keys(self.data_dir)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m inzira.qr.serve", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="The data folder (created if new)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--allowed-host", action="append", default=[],
                        help="A host name it answers for besides this machine's (repeatable; DNS rebinding)")
    parser.add_argument("--wallet-limit-minor", type=int, default=None,
                        help="Raise a top-up's, a day's and a wallet's limit to this (benchmarks fund each wallet "
                             "with one top-up)")
    parser.add_argument("--wallet-quotes-per-minute", type=int, default=None,
                        help="Raise each wallet's allowance of quotes to this (benchmarks pay from few wallets)")
    parser.add_argument("--bills-unpaid-day-max", type=int, default=None,
                        help="Raise a merchant's unpaid bills of a day to this (benchmarks make every bill first)")
    args = parser.parse_args(argv)
    settings = QrSettings()
    if args.wallet_limit_minor is not None:
        limit = max(args.wallet_limit_minor, settings.topup_minor_max)
        settings = dataclasses.replace(settings, topup_minor_max=limit, topup_day_minor_max=limit,
                                       wallet_balance_minor_max=limit)
    if args.wallet_quotes_per_minute is not None:
        per_minute = max(args.wallet_quotes_per_minute, settings.wallet_quotes_per_minute)
        settings = dataclasses.replace(settings, wallet_quotes_per_minute=per_minute,
                                       wallet_quotes_burst=max(per_minute, settings.wallet_quotes_burst))
    if args.bills_unpaid_day_max is not None:
        bills = max(args.bills_unpaid_day_max, settings.bills_unpaid_day_max)
        settings = dataclasses.replace(settings, bills_unpaid_day_max=bills)
    with QrServer(args.data, args.host, args.port, settings=settings, allowed_hosts=tuple(args.allowed_host)) as server:
        # What is alive once serving (the ledger's state, modules, caches) stays alive: out of the cyclic
        # collector's way, a full collection pauses every request in flight for tens of ms instead of ~100.
        tune_gc()
        sys.stdout.write(json.dumps({"url": server.base_url}) + "\n")
        sys.stdout.flush()
        while sys.stdin.read(STDIN_CHARS_MAX):  # until the parent closes our standard input
            continue


if __name__ == "__main__":
    main()
