"""The gateway's book of transfers is pruned: what an ended transfer keeps, for how long, and a resend of one
pruned.

Every POST /transfers a payer FSP sends was a row for ever, a refused one included: the cheapest thing a
hostile payer FSP can make. The store is filled through its own methods with a controlled clock; the resend
runs against a real demo (real ledger, real HTTP) and the recording hub of payee_env.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.retention import DAY_MS, Retention, RetentionSettings
from inzira.interop.mojaloop.store import (
    ABORTED,
    COMMITTED,
    PRUNE_ROWS_MAX,
    RECEIVED,
    RESERVED,
    QuoteRecord,
    Store,
    TransferRecord,
)
from inzira.node.signer import wall_clock_ms
from inzira.remit.settings import position_account
from tests.mojaloop.payee_env import bench, quote_body, transfer_body  # noqa: F401 (fixture)
from tests.mojaloop.payer_app import NobodyServed, NoMoves
from tests.mojaloop.waiting import wait_for

NOW_MS = 400 * DAY_MS


def _transfer(transfer_id: str, age_ms: int, state: str, **changes) -> TransferRecord:
    created = NOW_MS - age_ms
    fields = {"transfer_id": transfer_id, "digest": "d", "payer_fsp": "payerdfsp", "quote_id": "",
              "amount_minor": 100, "currency": "RWF", "condition": "c", "expires_at_ms": created + 60_000,
              "state": state, "created_at_ms": created, "updated_at_ms": created, **changes}
    return TransferRecord(**fields)


# transfer id -> (record, kept by the prune at NOW_MS with the default retention)
BOOK = {
    "committed-40d": (_transfer("committed-40d", 40 * DAY_MS, COMMITTED, pending_id="aa"), False),
    "committed-30d": (_transfer("committed-30d", 30 * DAY_MS, COMMITTED, pending_id="ab"), True),
    "refused-3d": (_transfer("refused-3d", 3 * DAY_MS, ABORTED, error_code=3205), False),
    "refused-1d": (_transfer("refused-1d", 1 * DAY_MS, ABORTED, error_code=3205), True),
    # reserved on Inzira, then aborted: the settlement report and reconciliation read it for 31 days
    "aborted-reserved-10d": (_transfer("aborted-reserved-10d", 10 * DAY_MS, ABORTED, pending_id="ac"), True),
    "aborted-reserved-40d": (_transfer("aborted-reserved-40d", 40 * DAY_MS, ABORTED, pending_id="ad"), False),
    # never final, still watched on Inzira, or an operator's to reconcile: kept whatever their age
    "received-90d": (_transfer("received-90d", 90 * DAY_MS, RECEIVED), True),
    "reserved-90d": (_transfer("reserved-90d", 90 * DAY_MS, RESERVED, pending_id="ae"), True),
    "watched-90d": (_transfer("watched-90d", 90 * DAY_MS, ABORTED, pending_id="af", inzira_open=True), True),
    "flagged-90d": (_transfer("flagged-90d", 90 * DAY_MS, COMMITTED, pending_id="b0", hub_state=ABORTED,
                              reconcile="the hub aborted after Inzira committed"), True),
    "flagged-refused-90d": (_transfer("flagged-refused-90d", 90 * DAY_MS, ABORTED, hub_state=COMMITTED,
                                      reconcile="the hub committed a transfer Inzira aborted"), True),
}


@pytest.fixture
def store(tmp_path: Path):
    book = Store(tmp_path / "mojaloop.db")
    try:
        yield book
    finally:
        book.close()


def test_the_prune_deletes_only_ended_transfers_past_their_retention(store):
    for record, _kept in BOOK.values():
        store.add_transfer(record)
    retention = Retention(RetentionSettings(), store)
    assert retention.run(NOW_MS) == 3
    kept = {transfer_id for transfer_id in BOOK if store.transfer(transfer_id) is not None}
    assert kept == {transfer_id for transfer_id, (_record, stays) in BOOK.items() if stays}
    assert [t.transfer_id for t in store.to_reconcile()] == ["flagged-90d", "flagged-refused-90d"]
    assert [t.transfer_id for t in store.inzira_open_transfers()] == ["watched-90d"]
    # Not due again within the interval; once due, nothing more to delete.
    assert retention.run(NOW_MS + 1) == 0
    assert retention.run(NOW_MS + RetentionSettings().interval_ms) == 0
    assert len(store.open_transfers()) == 2


def test_a_backlog_is_pruned_a_bounded_batch_at_a_time(store):
    for i in range(PRUNE_ROWS_MAX + 1):
        store.add_transfer(_transfer(f"refused-{i:05d}", 3 * DAY_MS, ABORTED, error_code=3205))
    store.add_transfer(_transfer("refused-now", 0, ABORTED, error_code=3205))
    retention = Retention(RetentionSettings(), store)
    assert retention.run(NOW_MS) == PRUNE_ROWS_MAX  # a full batch: the next sweep takes the rest
    assert store.transfer(f"refused-{PRUNE_ROWS_MAX:05d}") is not None
    assert retention.run(NOW_MS + 1_000) == 1
    assert store.transfer(f"refused-{PRUNE_ROWS_MAX:05d}") is None
    assert store.transfer("refused-now") is not None


def test_an_expired_quote_whose_transfer_was_pruned_makes_room_for_a_new_one(tmp_path: Path):
    store = Store(tmp_path / "mojaloop.db", quotes_max=1)
    try:
        paid = QuoteRecord(quote_id="q-old", digest="d", payer_fsp="payerdfsp", transaction_id="t",
                           party_type="MSISDN", party_id="250788123456", amount_minor=100, currency="RWF",
                           created_at_ms=NOW_MS - 40 * DAY_MS, expires_at_ms=NOW_MS - 40 * DAY_MS + 60_000,
                           condition="c-old", transfer_id="committed-40d")
        store.add_quote(paid, NOW_MS)
        store.add_transfer(BOOK["committed-40d"][0])
        assert Retention(RetentionSettings(), store).run(NOW_MS) == 1
        new = QuoteRecord(quote_id="q-new", digest="d", payer_fsp="payerdfsp", transaction_id="t2",
                          party_type="MSISDN", party_id="250788123456", amount_minor=100, currency="RWF",
                          created_at_ms=NOW_MS, expires_at_ms=NOW_MS + 60_000)
        assert store.add_quote(new, NOW_MS) is new
        assert store.quote("q-old") is None
    finally:
        store.close()


def test_the_gateways_sweep_runs_the_prune(tmp_path: Path):
    settings = GatewaySettings(hub_url="http://127.0.0.1:9", sweep_interval_ms=20)
    gateway = Gateway(settings, tmp_path, NobodyServed(), NoMoves(), lambda: NOW_MS)
    for transfer_id in ("refused-3d", "refused-1d", "flagged-90d"):
        gateway.store.add_transfer(BOOK[transfer_id][0])
    gateway.start()
    try:
        wait_for(lambda: gateway.store.transfer("refused-3d") is None)
        assert gateway.store.transfer("refused-1d") is not None
        assert gateway.store.transfer("flagged-90d") is not None
    finally:
        gateway.stop()


def test_retention_settings_that_would_keep_refusals_longer_than_payments_are_refused(store):
    with pytest.raises(ValueError):
        Retention(RetentionSettings(refused_keep_ms=40 * DAY_MS), store)


def test_a_resend_of_a_pruned_transfer_is_refused_3208_and_pays_nothing_again(bench):
    node = bench.demo.runtime.node
    credited = position_account("mobimo", "RWF")
    before = node.account(credited).credits_posted
    quote = quote_body(amount="1300")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    transfer = transfer_body(quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    store = bench.demo.gateway.store
    # Its retention passed (the clock moved on); its quote is still live, and still names it.
    later_ms = wall_clock_ms() + RetentionSettings().settled_keep_ms + 1
    assert store.prune(later_ms, later_ms) >= 1
    assert store.transfer(transfer["transferId"]) is None
    assert store.quote(quote["quoteId"]).transfer_id == transfer["transferId"]

    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    refused = bench.hub.take(f"/transfers/{transfer['transferId']}/error").body["errorInformation"]
    assert refused["errorCode"] == "3208" and "no longer kept" in refused["errorDescription"]
    assert bench.send("GET", f"/transfers/{transfer['transferId']}", "transfers").status_code == 200
    asked = bench.hub.take(f"/transfers/{transfer['transferId']}/error").body["errorInformation"]
    assert asked["errorCode"] == "3208"
    assert node.account(credited).credits_posted == before + 1300  # paid once
    assert store.transfer(transfer["transferId"]) is None  # the refusal made no row either
