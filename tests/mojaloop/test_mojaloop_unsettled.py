"""A transfer the hub ends while the gateway's commit on Inzira has no verdict yet: the chain decides.

Against a real demo (real ledger, real HTTP) and the recording hub of payee_env. The demo's own ledger is
wrapped so its commit waits for the test: the hub's abort lands in between, then the commit reaches the chain
(or not) and comes back without a verdict, as a ledger timeout does. Whatever the gateway was told, its book
must end by what the chain did: a commit that posted is flagged for reconciliation, an expiry is not.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.interop.mojaloop.ports import Verdict
from inzira.interop.mojaloop.reconcile import Reason
from inzira.interop.mojaloop.store import DB_FILE, Store, TransferRecord
from inzira.interop.mojaloop.timefmt import iso_ms
from inzira.node.signer import wall_clock_ms
from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import PAYER_FSP, Bench, Hub, bench, quote_body, transfer_body  # noqa: F401 (fixture)
from tests.mojaloop.waiting import wait_for

WAIT_S = 20.0
HTTP_TIMEOUT_S = 10.0
SHORT_EXPIRY_MS = 5_000  # a transfer Inzira's ledger expires within seconds (more than COMMIT_MARGIN_MS)


class CommitWithoutVerdict:
    """The demo's real ledger, its commit held until the test lets it go; then the commit reaches the chain
    (``lands``) or is lost on the way, and either way the gateway gets no verdict."""

    def __init__(self, inner, lands: bool) -> None:
        self.inner = inner
        self.lands = lands
        self.entered = threading.Event()
        self.gate = threading.Event()

    async def reserve(self, *args) -> Verdict | None:
        return await self.inner.reserve(*args)

    async def commit(self, pending_id: bytes, fulfilment: bytes) -> Verdict | None:
        self.entered.set()
        await asyncio.to_thread(self.gate.wait, WAIT_S)
        if self.lands:
            await self.inner.commit(pending_id, fulfilment)
        return None

    async def abort(self, pending_id: bytes) -> Verdict | None:
        return await self.inner.abort(pending_id)

    def state(self, pending_id: bytes) -> str:
        return self.inner.state(pending_id)


def _quoted(bench: Bench, amount: str) -> tuple[dict, dict]:
    quote = quote_body(amount=amount)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    return quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body


def _hub_ends(bench: Bench, transfer_id: str, how: str) -> None:
    """The hub's final word: a PATCH ABORTED, or its error callback when the transfer expired there."""
    if how == "patch":
        patch = {"completedTimestamp": iso_ms(wall_clock_ms()), "transferState": "ABORTED"}
        sent = bench.send("PATCH", f"/transfers/{transfer_id}", "transfers", patch, drop=("Accept",),
                          headers={"FSPIOP-Source": "switch"})
    else:
        error = {"errorInformation": {"errorCode": "3303", "errorDescription": "Transfer expired"}}
        sent = bench.send("PUT", f"/transfers/{transfer_id}/error", "transfers", error, drop=("Accept",),
                          headers={"FSPIOP-Source": "switch"})
    assert sent.status_code == 200, sent.text


def _report_item(bench: Bench, transfer_id: str, from_ms: int) -> dict:
    token = load_api_keys(bench.demo.data_dir)["ekash"]
    answer = httpx.get(f"http://127.0.0.1:{bench.demo.port}/v1/mojaloop/settlement",
                       params={"from_ms": from_ms, "to_ms": wall_clock_ms() + 1, "limit": 500},
                       headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S)
    assert answer.status_code == 200, answer.text
    return next(item for item in answer.json()["items"] if item["transfer_id"] == transfer_id)


@pytest.mark.parametrize("how", ["patch", "expired_at_the_hub"])
def test_a_commit_posted_after_the_hub_aborted_with_no_verdict_is_found_on_chain_and_flagged(bench, how):
    node = bench.demo.runtime.node
    from_ms = wall_clock_ms()
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    transfers = bench.demo.gateway.transfers
    held = CommitWithoutVerdict(transfers.ledger, lands=True)
    quote, answer = _quoted(bench, "1400")
    transfer = transfer_body(quote, answer)
    transfer_id = transfer["transferId"]
    store = bench.demo.gateway.store
    transfers.ledger = held
    try:
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)  # reserved on Inzira, the commit on its way
        _hub_ends(bench, transfer_id, how)
        wait_for(lambda: store.transfer(transfer_id).state == "ABORTED")
        held.gate.set()  # the commit posts on Inzira; the gateway never hears its verdict
        stored = wait_for(lambda: (t := store.transfer(transfer_id)).reconcile and t)
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before + 1400  # the party was paid
    assert stored.state == "ABORTED" and stored.hub_state == "ABORTED" and not stored.inzira_open
    assert "Inzira committed after the transfer ended ABORTED" in stored.reconcile
    assert transfer_id in [t.transfer_id for t in store.to_reconcile()]
    item = _report_item(bench, transfer_id, from_ms)
    assert item["inzira"]["state"] == "COMMITTED" and item["reasons"] == [Reason.INZIRA_POSTED_EKASH_ABORTED]


def test_a_reservation_that_expires_on_inzira_after_the_hub_aborted_ends_the_watch_unflagged(bench):
    node = bench.demo.runtime.node
    before = node.account(position_account("mobimo", "RWF")).credits_posted
    transfers = bench.demo.gateway.transfers
    held = CommitWithoutVerdict(transfers.ledger, lands=False)
    quote, answer = _quoted(bench, "1500")
    transfer = transfer_body(quote, answer, expiration=iso_ms(wall_clock_ms() + SHORT_EXPIRY_MS))
    transfer_id = transfer["transferId"]
    store = bench.demo.gateway.store
    transfers.ledger = held
    try:
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)
        _hub_ends(bench, transfer_id, "patch")
        watched = wait_for(lambda: (t := store.transfer(transfer_id)).state == "ABORTED" and t)
        assert watched.inzira_open  # its reservation may still post: looked at again
        held.gate.set()  # the commit never reaches the chain
        pending_id = bytes.fromhex(watched.pending_id)
        wait_for(lambda: held.state(pending_id) == "ABORTED")  # Inzira's ledger expired it
        stored = wait_for(lambda: not (t := store.transfer(transfer_id)).inzira_open and t)
    finally:
        held.gate.set()
        transfers.ledger = held.inner
    assert stored.state == "ABORTED" and stored.reconcile == ""
    assert transfer_id not in [t.transfer_id for t in store.to_reconcile()]
    assert node.account(position_account("mobimo", "RWF")).credits_posted == before


@pytest.fixture
def own_hub() -> Iterator[Hub]:
    hub = Hub().start()
    try:
        yield hub
    finally:
        hub.stop()


def test_a_transfer_left_open_on_inzira_is_looked_at_again_after_a_restart(own_hub: Hub, tmp_path: Path):
    """The gateway stops with the hub's abort recorded and its reservation still open; the commit it had
    sent posts meanwhile. The gateway started again finds it and flags it."""
    data_dir = tmp_path / "demo"
    first = Demo(data_dir, port=0, mojaloop_hub=own_hub.url)
    first.start()
    held = None
    try:
        bench = Bench(first, own_hub)
        transfers = first.gateway.transfers
        held = CommitWithoutVerdict(transfers.ledger, lands=False)
        quote, answer = _quoted(bench, "1600")
        transfer = transfer_body(quote, answer)
        transfer_id = transfer["transferId"]
        transfers.ledger = held
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert held.entered.wait(WAIT_S)
        _hub_ends(bench, transfer_id, "patch")
        watched = wait_for(lambda: (t := first.gateway.store.transfer(transfer_id)).state == "ABORTED" and t)
    finally:
        first.stop()
        if held is not None:
            held.gate.set()
    second = Demo(data_dir, port=0, mojaloop_hub=own_hub.url)
    second.start()
    try:
        gateway = second.gateway
        quote_record = gateway.store.quote(watched.quote_id)
        fulfilment = gateway.payee.fulfilment_of(quote_record.ilp_packet)
        pending_id = bytes.fromhex(watched.pending_id)
        assert gateway.transfers.ledger.state(pending_id) == "RESERVED"
        # The commit sent before the stop reaches the chain now, under the same gateway key.
        verdict = asyncio.run(gateway.transfers.ledger.commit(pending_id, fulfilment))
        assert verdict is not None and verdict.ok
        stored = wait_for(lambda: (t := gateway.store.transfer(transfer_id)).reconcile and t)
    finally:
        second.stop()
    assert stored.state == "ABORTED" and not stored.inzira_open
    assert "Inzira committed after the transfer ended ABORTED" in stored.reconcile



def _earlier_row(record: TransferRecord) -> tuple[object, ...]:
    """A transfers row as the book wrote it before ``inzira_open``: six columns, a record without the field."""
    fields = {k: v for k, v in msgspec.to_builtins(record).items() if k != "inzira_open"}
    return (record.transfer_id, record.state, record.expires_at_ms, 1 if record.reconcile else 0,
            record.created_at_ms, msgspec.json.encode(fields))


def test_a_book_of_the_earlier_schema_is_upgraded_and_its_aborted_reservations_looked_at(tmp_path: Path):
    """A book from before ``inzira_open``: each ABORTED transfer with a reservation, not already flagged, is
    watched (its commit may have posted after it ended); the others are not. New rows take the new column."""
    path = tmp_path / DB_FILE
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE transfers (transfer_id TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at_ms INTEGER"
                " NOT NULL, reconcile INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, record BLOB NOT NULL)")
    base = TransferRecord(transfer_id="", digest="d", payer_fsp=PAYER_FSP, quote_id="q", amount_minor=100,
                          currency="RWF", condition="c", expires_at_ms=5_000, state="ABORTED", created_at_ms=1_000,
                          updated_at_ms=1_000)
    rows = {"reserved-then-aborted": {"pending_id": "ab" * 32}, "refused": {},
            "flagged": {"pending_id": "cd" * 32, "reconcile": "the hub committed a transfer Inzira aborted"},
            "committed": {"pending_id": "ef" * 32, "state": "COMMITTED"}}
    for transfer_id, changes in rows.items():
        old.execute("INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?)",
                    _earlier_row(msgspec.structs.replace(base, transfer_id=transfer_id, **changes)))
    old.commit()
    old.close()
    store = Store(path)
    try:
        assert [t.transfer_id for t in store.inzira_open_transfers()] == ["reserved-then-aborted"]
        assert store.transfer("reserved-then-aborted").pending_id == "ab" * 32
        later = msgspec.structs.replace(base, transfer_id="later", pending_id="12" * 32, expires_at_ms=9_000,
                                        inzira_open=True)
        assert store.add_transfer(later) is later
        assert [t.transfer_id for t in store.inzira_open_transfers()] == ["reserved-then-aborted", "later"]
    finally:
        store.close()
    again = Store(path)  # opened again: upgraded once, nothing marked twice
    try:
        assert [t.transfer_id for t in again.inzira_open_transfers()] == ["reserved-then-aborted", "later"]
    finally:
        again.close()
