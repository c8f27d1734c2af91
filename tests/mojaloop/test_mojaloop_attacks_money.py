"""Attacks on the payee side's money: a quote paid twice, a hub abort undone by a late commit, a quote flood.

Against a real demo (real ledger, real HTTP) and the recording hub of payee_env. For the abort race, the
demo's own ledger is wrapped so its reservation waits for the test: the hub's abort lands in between.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from inzira.api.server import serve_in_thread
from inzira.interop.mojaloop.fields import BODY_BYTES_MAX
from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.payee import PayeeSettings
from inzira.interop.mojaloop.payee_transfers import RESERVE_HOLD_MS_MAX
from inzira.interop.mojaloop.ports import Verdict
from inzira.interop.mojaloop.server import fspiop_router
from inzira.interop.mojaloop.timefmt import parse_ms
from inzira.node.signer import wall_clock_ms
from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import PAYER_FSP, Hub, bench, quote_body, transfer_body  # noqa: F401 (fixture)
from tests.mojaloop.payer_app import NobodyServed, NoMoves
from tests.mojaloop.waiting import wait_for

WAIT_S = 20.0
QUOTES_MAX = 3
QUOTE_TTL_MS = 1_500


def _quoted(bench, amount: str) -> tuple[dict, dict]:
    quote = quote_body(amount=amount)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    return quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body


def test_a_quote_is_paid_at_most_once(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    quote, answer = _quoted(bench, "1100")
    first = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", first).status_code == 202
    assert bench.hub.take(f"/transfers/{first['transferId']}").body["transferState"] == "COMMITTED"
    second = transfer_body(quote, answer, transferId="5d0c7e2a-3b61-4c1e-9a3f-6f1d2c3b4a5e")
    assert bench.send("POST", "/transfers", "transfers", second).status_code == 202
    refused = bench.hub.take(f"/transfers/{second['transferId']}/error").body["errorInformation"]
    assert refused["errorCode"] == "5105" and quote["quoteId"] in refused["errorDescription"]
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before + 1100
    assert bench.demo.gateway.store.transfer(second["transferId"]).state == "ABORTED"
    assert bench.demo.gateway.store.quote(quote["quoteId"]).transfer_id == first["transferId"]


class HeldLedger:
    """The demo's real ledger, each reservation (or each commit) held until the test lets it through."""

    def __init__(self, inner, held: str) -> None:
        self.inner = inner
        self.held = held
        self.entered = threading.Event()
        self.gate = threading.Event()

    async def _hold(self, step: str) -> None:
        if step == self.held:
            self.entered.set()
            await asyncio.to_thread(self.gate.wait, WAIT_S)

    async def reserve(self, *args) -> Verdict | None:
        await self._hold("reserve")
        return await self.inner.reserve(*args)

    async def commit(self, pending_id: bytes, fulfilment: bytes) -> Verdict | None:
        await self._hold("commit")
        return await self.inner.commit(pending_id, fulfilment)

    async def abort(self, pending_id: bytes) -> Verdict | None:
        return await self.inner.abort(pending_id)

    def state(self, pending_id: bytes) -> str:
        return self.inner.state(pending_id)


def test_a_far_expiration_holds_the_gateways_funds_for_minutes_not_a_year(bench):
    """The payer FSP sets the expiration: a year ahead must not let a failed commit lock the gateway's position
    for a year. Inzira's hold lasts at most RESERVE_HOLD_MS_MAX; the Mojaloop transfer is unchanged."""
    quote, answer = _quoted(bench, "1200")
    transfer = transfer_body(quote, answer, expiration="2027-12-01T00:00:00.000Z")
    before_ms = wall_clock_ms()
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    record = bench.demo.gateway.store.transfer(transfer["transferId"])
    pending = bench.demo.runtime.node.pending(bytes.fromhex(record.pending_id))
    assert pending.expires_at_ms <= wall_clock_ms() + RESERVE_HOLD_MS_MAX
    assert pending.expires_at_ms >= before_ms + RESERVE_HOLD_MS_MAX
    assert record.expires_at_ms == parse_ms("2027-12-01T00:00:00.000Z")


def test_a_hub_abort_is_not_overwritten_by_a_reservation_that_lands_after_it(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    transfers = bench.demo.gateway.transfers
    held = HeldLedger(transfers.ledger, "reserve")
    quote, answer = _quoted(bench, "1200")
    transfer = transfer_body(quote, answer)
    transfers.ledger = held
    try:
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)
        patch = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
        assert bench.send("PATCH", f"/transfers/{transfer['transferId']}", "transfers", patch, drop=("Accept",),
                          headers={"FSPIOP-Source": "switch"}).status_code == 200
        store = bench.demo.gateway.store
        wait_for(lambda: store.transfer(transfer["transferId"]).state == "ABORTED")
        held.gate.set()
        stored = wait_for(lambda: (t := store.transfer(transfer["transferId"])).pending_id and t)
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert stored.state == "ABORTED" and stored.hub_state == "ABORTED"
    assert held.state(bytes.fromhex(stored.pending_id)) == "RESERVED"  # never posted: it ends at its expiry
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before


def test_a_commit_that_lands_after_a_hub_abort_keeps_the_abort_and_is_flagged(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    transfers = bench.demo.gateway.transfers
    held = HeldLedger(transfers.ledger, "commit")
    quote, answer = _quoted(bench, "1300")
    transfer = transfer_body(quote, answer)
    store = bench.demo.gateway.store
    transfers.ledger = held
    try:
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)  # reserved on Inzira, the commit held
        patch = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "ABORTED"}
        assert bench.send("PATCH", f"/transfers/{transfer['transferId']}", "transfers", patch, drop=("Accept",),
                          headers={"FSPIOP-Source": "switch"}).status_code == 200
        wait_for(lambda: store.transfer(transfer["transferId"]).state == "ABORTED")
        held.gate.set()
        stored = wait_for(lambda: (t := store.transfer(transfer["transferId"])).reconcile and t)
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert stored.state == "ABORTED" and stored.hub_state == "ABORTED" and "recover" in stored.reconcile
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before + 1300  # it did post
    assert stored.transfer_id in [t.transfer_id for t in store.to_reconcile()]


@pytest.fixture
def small_gateway(tmp_path: Path) -> Iterator[tuple[str, Hub]]:
    """A gateway whose quote book holds ``QUOTES_MAX`` quotes of ``QUOTE_TTL_MS`` (its party book finds
    nobody, so each quote is refused 3204, and still kept)."""
    hub = Hub().start()
    payee = PayeeSettings(quote_ttl_ms=QUOTE_TTL_MS, quotes_max=QUOTES_MAX)
    gateway = Gateway(GatewaySettings(hub_url=hub.url, payee=payee), tmp_path, NobodyServed(), NoMoves(),
                      wall_clock_ms).start()
    app = FastAPI()
    app.include_router(fspiop_router(gateway))
    served, port = serve_in_thread(app, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}/fspiop", hub
    finally:
        served.stop()
        gateway.stop()
        hub.stop()


def _post_quote(url: str, quote: dict) -> int:
    return _post(url, quote).status_code


def _post(url: str, quote: dict) -> httpx.Response:
    media = "application/vnd.interoperability.quotes+json;version=1.1"
    headers = {"Accept": media, "Content-Type": media, "Date": formatdate(usegmt=True), "FSPIOP-Source": PAYER_FSP}
    return httpx.post(f"{url}/quotes", json=quote, headers=headers, timeout=WAIT_S)


def test_the_router_alone_refuses_an_oversized_body_in_errorinformation(small_gateway):
    """Mounted without the demo's body-size middleware, the router still refuses in errorInformation."""
    url, _ = small_gateway
    answer = _post(url, quote_body(note="x" * (BODY_BYTES_MAX + 1)))
    assert answer.status_code == 413 and answer.json()["errorInformation"]["errorCode"] == "3104"


def test_a_full_quote_book_refuses_until_expired_quotes_make_room(small_gateway):
    url, hub = small_gateway
    for _ in range(QUOTES_MAX):
        quote = quote_body()
        assert _post_quote(url, quote) == 202
        assert hub.take(f"/quotes/{quote['quoteId']}/error").body["errorInformation"]["errorCode"] == "3204"
    full_at_ms = wall_clock_ms()
    flood = quote_body()
    assert _post_quote(url, flood) == 202
    assert hub.take(f"/quotes/{flood['quoteId']}/error").body["errorInformation"]["errorCode"] == "2003"
    wait_for(lambda: wall_clock_ms() > full_at_ms + QUOTE_TTL_MS)  # the first quotes have expired
    later = quote_body()
    assert _post_quote(url, later) == 202
    assert hub.take(f"/quotes/{later['quoteId']}/error").body["errorInformation"]["errorCode"] == "3204"


def test_a_hub_commit_before_the_gateways_refusal_is_flagged_and_kept(bench):
    """The hub says COMMITTED while Inzira is still reserving, then Inzira refuses the reservation (the gateway's
    position is short): the hub settles a payment Inzira never made. Flagged like a hub commit after the abort,
    so it is listed and kept, not pruned with the refused transfers after two days."""
    transfers = bench.demo.gateway.transfers
    held = HeldLedger(transfers.ledger, "reserve")
    quote, answer = _quoted(bench, "300000000")  # more than the gateway's 200,000,000 RWF position
    transfer = transfer_body(quote, answer)
    store = bench.demo.gateway.store
    transfers.ledger = held
    try:
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)
        patch = {"completedTimestamp": "2026-12-05T12:00:00.000Z", "transferState": "COMMITTED"}
        assert bench.send("PATCH", f"/transfers/{transfer['transferId']}", "transfers", patch, drop=("Accept",),
                          headers={"FSPIOP-Source": "switch"}).status_code == 200
        wait_for(lambda: store.transfer(transfer["transferId"]).hub_state == "COMMITTED")
        held.gate.set()
        error = bench.hub.take(f"/transfers/{transfer['transferId']}/error").body["errorInformation"]
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert error["errorCode"] == "5001"
    stored = store.transfer(transfer["transferId"])
    assert (stored.state, stored.hub_state, stored.pending_id) == ("ABORTED", "COMMITTED", "")
    assert "off-ledger" in stored.reconcile
    assert stored.transfer_id in [t.transfer_id for t in store.to_reconcile()]
