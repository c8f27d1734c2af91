"""The QR pages as one object: the router to mount, the API to connect to, the live streams to end.

    pages = QrPages(runtime.node, rates=rates)         # rates: the QR service's reference rates (display only)
    app.include_router(pages.router)
    app.state.on_server_stop.append(pages.close_streams)
    app.state.on_loop_end.append(pages.aclose)          # the API client's connections, opened on the server's loop
    mount_static(app)                                  # qr.css and the pages' scripts
    ...                                                # serve, then:
    pages.connect(api_url, demo_customers)             # the QR API's base URL; the demo's sign-in (or None)

The upload form's body is larger than the API's default limit: add ``QR_PAGE_BODY_LIMITS`` to the app's
``ApiSettings.body_bytes_max_by_path``.
"""

from __future__ import annotations

from fastapi import APIRouter

from inzira.fx.rates import RateTable
from inzira.node.node import Node
from inzira.node.signer import wall_clock_ms
from inzira.web.head import answer_head
from inzira.web.qr.client import QrApi
from inzira.web.qr.demo_customers import DemoCustomers
from inzira.web.qr.pay import SCAN_FORM_BYTES_MAX, SCAN_PATH, pay_router
from inzira.web.qr.pos import pos_router
from inzira.web.qr.pos_payments import pos_payments_router
from inzira.web.qr.pos_live import PaymentsRelay, pos_live_router
from inzira.web.qr.relay import BillRelay, relay_router
from inzira.web.qr.sessions import QrKind, QrSessions
from inzira.web.qr.signin import signin_router
from inzira.web.qr.site import QrSite
from inzira.web.qr.vendor import DecoderFile, vendor_router
from inzira.web.qr.wallet import wallet_router
from inzira.web.qr.wallet_receipts import wallet_receipts_router
from inzira.web.qr.wallet_topups import wallet_topups_router

QR_PAGE_BODY_LIMITS: dict[str, int] = {SCAN_PATH: SCAN_FORM_BYTES_MAX}


class QrPages:
    def __init__(self, node: Node, *, rates: RateTable | None = None, decoder: DecoderFile | None = None,
                 public_accounts: bool = True) -> None:
        """``public_accounts`` as the explorer's. Session cookies are Secure whenever a page is served over TLS."""
        sessions = {kind: QrSessions(kind, wall_clock_ms) for kind in QrKind}
        self.site = QrSite(node, QrApi(), sessions, decoder or DecoderFile(), rates, public_accounts)
        self.relay = BillRelay(self.site)
        self.payments_relay = PaymentsRelay(self.site)
        self.router = APIRouter()
        for part in (signin_router, pos_router, pos_payments_router, wallet_router, wallet_topups_router, pay_router,
                     wallet_receipts_router):
            self.router.include_router(answer_head(part(self.site)))
        self.router.include_router(relay_router(self.site, self.relay))  # event streams: no HEAD
        self.router.include_router(pos_live_router(self.site, self.payments_relay))
        self.router.include_router(answer_head(vendor_router(self.site.decoder)))

    def connect(self, api_url: str, demo: DemoCustomers | None = None) -> None:
        self.site.api.connect(api_url)
        self.site.demo = demo

    def close_streams(self) -> None:
        self.relay.close_streams()
        self.payments_relay.close_streams()

    async def aclose(self) -> None:
        await self.site.api.aclose()
