"""The visitor QR payment service, composed: store, ledger door, FX desk, flows and real-time channels.

    service = QrService(runtime, ports, data_dir, fx=fx_client)  # runtime: Embedded or PeerRuntime (started);
                                                    # ports: the acquirers' and wallet issuers' own
    service.start()                                 # store writer, webhook thread, recovery from the chain
    app = create_app(runtime, settings=ApiSettings(body_bytes_max_by_path=QR_BODY_LIMITS),
                     routers=qr_routers(service))   # inzira.qr.api
    prioritize(app)                                 # the QR routes first (see inzira.qr.api.prioritize)
    app.state.on_server_stop.append(service.close_streams)
    app.state.on_loop_end.append(service.aclose)
    ...
    service.stop()                                  # after the HTTP server and the runtime stopped

Off-chain data lives in ``<data_dir>/qr.db``; money moves only on chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from inzira.fx.client import FxClient
from inzira.http.closing import aclose_each
from inzira.node.custody import MemberPort
from inzira.notify.targets import TargetGuard
from inzira.qr.bill_book import BillBook
from inzira.qr.card_topups import CardTopUps
from inzira.qr.directory import Directory
from inzira.qr.external import ExternalPayments
from inzira.qr.ledger_port import LedgerPort, QrRuntime
from inzira.qr.live.events import Outbox, StoredEvent
from inzira.qr.live.hooks import WebhookDispatch
from inzira.qr.live.hub import Hub
from inzira.qr.merchants import Merchants
from inzira.qr.name_screening import NameScreen
from inzira.qr.payments import Payments
from inzira.qr.quotes import QuoteBook
from inzira.qr.quoting import Quoter
from inzira.qr.recovery import recover
from inzira.qr.refunds import Refunds
from inzira.qr.scan import Scanner
from inzira.qr.settings import QrSettings
from inzira.qr.settlement import Settlement
from inzira.qr.statement import Statements
from inzira.qr.store.checkpoint import Checkpointer
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.schema import DB_FILE
from inzira.qr.store.writer import StoreWriter
from inzira.qr.token_book import TokenBook
from inzira.qr.upkeep import Upkeep
from inzira.qr.wallets import Wallets

DAYS_KEPT_RANGE = (1, 3_650)  # a day at least: the daily cap on unpaid bills counts every bill of its 24 hours


def check_settings(settings: QrSettings, runtime: QrRuntime, ports: Mapping[str, MemberPort]) -> None:
    """Refuse a configuration the flows cannot serve, at start rather than at the first payment."""
    members = runtime.node.state.members
    for acquirer in settings.acquirers:
        if acquirer not in members or acquirer not in ports:
            raise ValueError(f"acquirer {acquirer!r} is not a member this service holds the port of")
    for issuer, currencies in settings.wallet_currencies.items():
        if issuer not in members or issuer not in ports:
            raise ValueError(f"wallet issuer {issuer!r} is not a member this service holds the port of")
        if settings.price_currency in currencies:
            raise ValueError(f"visitor wallets are in foreign currencies, not {settings.price_currency}")
    low, high = DAYS_KEPT_RANGE
    if not low <= settings.bills_expired_kept_days <= high:
        raise ValueError(f"bills_expired_kept_days is {low} to {high}, not {settings.bills_expired_kept_days}")
    if settings.upkeep_batch_rows < 1 or settings.upkeep_interval_ms < 1:
        raise ValueError("upkeep_batch_rows and upkeep_interval_ms are at least 1")


class QrService:
    def __init__(self, runtime: QrRuntime, ports: Mapping[str, MemberPort], data_dir: Path,
                 settings: QrSettings | None = None, *, fx: FxClient, screen: NameScreen | None = None) -> None:
        self.settings = s = settings or QrSettings()
        check_settings(s, runtime, ports)
        self.path = str(data_dir / DB_FILE)
        self.port = LedgerPort(runtime, ports)
        self.writer = StoreWriter(self.path, s.writer_queue_jobs_max, s.writer_batch_jobs_max)
        self.checkpointer = Checkpointer(self.path)
        self.reader = StoreReader(self.path)
        self.directory = Directory(self.reader, s.records_cache_max)
        self.hub = Hub(s.streams_max, s.stream_queue_events_max, s.streams_per_owner_max)
        self.hooks = WebhookDispatch(self.port.webhook_key, TargetGuard(s.webhook_allowed_networks))
        self.outbox = Outbox(self._announce)
        self.settlement = Settlement(self.port, self.writer)
        self.fx = fx
        self.quotes = QuoteBook(s.quotes_max)
        self.bills = BillBook(self.reader, s.records_cache_max)
        self.scanner = Scanner(self.bills, self.directory, s.price_currency, s.scan_cache_max,
                               s.bills_expired_kept_days)
        self.upkeep = Upkeep(s, self.writer, self.bills, self.port.now_ms)
        self.merchants = Merchants(s, self.port, self.writer, self.reader, self.directory, self.bills,
                                   self.hooks.guard, screen)
        self.wallets = Wallets(s, self.port, self.writer, self.reader, self.directory, self.outbox, screen)
        self.topups = CardTopUps(s, self.port, self.writer, self.reader, self.directory, self.wallets, self.settlement)
        self.quoter = Quoter(s, self.port, self.scanner, fx, self.quotes)
        self.payments = Payments(s, self.port, self.writer, self.reader, self.directory, self.bills, self.quotes,
                                 self.settlement, self.outbox)
        self.refunds = Refunds(s, self.port, self.writer, self.reader, self.directory, fx, self.settlement,
                               self.outbox, self.payments.fx_account)
        self.token_book = TokenBook(s, self.writer, self.directory, self.hub, self.port.now_ms)
        self.statements = Statements(s, self.reader, self.port)
        self.external = ExternalPayments(self.port, self.writer, self.directory, self.outbox, s.price_currency)
        self.closing = False
        self.recovered: dict[str, int] = {}

    def start(self) -> "QrService":
        self.writer.start()
        self.checkpointer.start()
        self.hooks.start(self.reader.webhook_urls())
        settlers: dict[str, Callable[[str], Any]] = {"payments": self.payments.settle_payment,
                                                     "refunds": self.refunds.settle_refund,
                                                     "topups": self.wallets.settle_topup}
        self.recovered = recover(self.reader, self.port, self.settlement, settlers, self._track)
        self.topups.abandon_opening()
        self.upkeep.start()
        return self

    def stop(self) -> None:
        """End the event streams, then the webhook and upkeep threads, then write what is queued and close the
        store."""
        self.closing = True
        self.hooks.stop()
        self.upkeep.stop()
        self.writer.stop()
        self.checkpointer.stop()
        self.reader.close()

    def close_streams(self) -> None:
        """For ``app.state.on_server_stop``: open event streams end at their next wake-up."""
        self.closing = True

    async def aclose(self) -> None:
        """For ``app.state.on_loop_end``: the card acquirers' and the FX provider's connections, opened by
        the handlers on the server's event loop."""
        await aclose_each((self.topups.aclose, self.fx.aclose))

    def _announce(self, event: StoredEvent) -> None:
        self.hub.publish(event)
        if event.acquirer is not None:
            self.hooks.send(event.acquirer, event.webhook())

    def _track(self, table: str, record_id: str, future: "Future[Any]") -> None:
        if table == "payments":
            self.payments.track(record_id, future)
