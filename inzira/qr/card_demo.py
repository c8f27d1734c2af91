"""A card acquirer simulator for each wallet issuer, as the demo and the QR test server run them.

    cards = CardDemo(data_dir, ["silkpay"]).start()       # before the QR service: its settings need the links
    settings = replace(settings, card_acquirers=cards.links())
    ...                                                   # serve the QR API, then:
    cards.connect(api_url)                                # each simulator calls back /v1/qr/card-notifications/<issuer>
    ...
    cards.stop()

Each simulator keeps its books in the data folder (``card-<issuer>.db``) and serves on loopback, as the
mobile-money simulators do; its secrets (API key, webhook secret, admin token) are new at every start and
known only to it and to this process.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from pathlib import Path

from inzira.qr.settings import CardAcquirerLink
from inzira.qr.views import CARD_NOTIFICATIONS_PATH
from inzira.sim.card import CardSimConfig, RunningCardSim, serve
from inzira.sim.server import LOOPBACK


def _secret() -> str:
    return secrets.token_urlsafe(24)


class CardDemo:
    def __init__(self, data_dir: Path | None, issuers: Iterable[str], callback_host: str = LOOPBACK) -> None:
        """``data_dir`` None keeps the books in memory; ``callback_host``: where the QR API listens."""
        self.data_dir = data_dir
        self.issuers = tuple(issuers)
        self.callback_host = callback_host
        self.sims: dict[str, RunningCardSim] = {}
        self._stack = contextlib.ExitStack()

    def start(self) -> "CardDemo":
        try:
            for issuer in self.issuers:
                db_path = ":memory:" if self.data_dir is None else str(self.data_dir / f"card-{issuer}.db")
                config = CardSimConfig(merchant_name=issuer, api_key=_secret(), webhook_secret=_secret(),
                                       admin_token=_secret(), db_path=db_path,
                                       callback_hosts=(LOOPBACK, "localhost", self.callback_host))
                self.sims[issuer] = self._stack.enter_context(serve(config))
        except BaseException:
            self._stack.close()
            raise
        return self

    def links(self) -> dict[str, CardAcquirerLink]:
        """What the QR service's settings need to reach each issuer's acquirer."""
        return {issuer: CardAcquirerLink(sim.base_url, sim.config.api_key, sim.config.webhook_secret)
                for issuer, sim in self.sims.items()}

    def connect(self, api_url: str) -> None:
        """Point each simulator's callbacks at the QR API's notification route for its issuer."""
        for issuer, sim in self.sims.items():
            sim.admin.set_webhook_url(f"{api_url.rstrip('/')}{CARD_NOTIFICATIONS_PATH}/{issuer}")

    def stop(self) -> None:
        self._stack.close()
