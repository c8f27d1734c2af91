"""One real server for the QR payment tests: a demo network in a temporary folder, seeded, with the ledger API
and the QR service served by uvicorn on 127.0.0.1. Each test makes its own merchants and wallets."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.qr.serve import QrServer
from inzira.qr.settings import QrSettings
from inzira.qr.store.schema import connect, create
from inzira.remit.compliance.sanctions import load_sample_sanctions
from inzira.remit.compliance.screening import SanctionsIndex
from tests.qr_pay.helpers import Qr

# Short heartbeats so stream tests see activity quickly; a fast block cadence so tests run fast. The webhook
# receiver listens on 127.0.0.1, which the operator allow-lists (every other non-public address stays refused).
RECEIVER_NETWORK = "127.0.0.1/32"
# A card acquirer slower than 5 s is given up on: short, so the slow-acquirer test need not wait long, but not so
# short that a loaded machine's simulator misses it (1 s did, once, in CI: a top-up's check got 503). A small
# share of streams per merchant or wallet, so the test that fills one opens few; few unpaid bills a merchant, so
# the test that reaches the cap makes few.
CARD_CALL_TIMEOUT_MS = 5_000
TEST_SETTINGS = QrSettings(stream_heartbeat_ms=200, webhook_allowed_networks=(RECEIVER_NETWORK,),
                          card_call_timeout_ms=CARD_CALL_TIMEOUT_MS, streams_per_owner_max=6, bills_unpaid_day_max=20)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A QR service's store (``qr.db``) on its own, for the rules that read it inside a store job."""
    conn = connect(str(tmp_path / "qr.db"))
    create(conn)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def qr(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Qr]:
    data_dir = tmp_path_factory.mktemp("qr-network")
    index = SanctionsIndex(load_sample_sanctions())

    def screen(name: str) -> str | None:  # as a composition passes the remittance service's screener
        matches = index.screen(name).matches
        return f"{matches[0].entry.reference_number}: {matches[0].explanation}" if matches else None

    with QrServer(data_dir, settings=TEST_SETTINGS, block_interval_ms=5, screen=screen) as server:
        with Qr(server) as helper:
            yield helper
