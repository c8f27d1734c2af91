"""The payout book records money owed: the remittance store is as durable as the ledger's and the QR store's
(WAL, every commit synced, a busy timeout, foreign keys), through the one helper every such store uses. The
remittance store syncs its WAL itself after each group commit, outside its lock (NORMAL inside COMMIT;
tests/remit/test_store_sync.py shows every unit synced before it is reported durable), and a transfer is on
disk before any answer tells of it (tests/remit_crash/ kills the server to check the whole path)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira import sqlite_db
from inzira.qr.store.schema import connect as qr_connect
from inzira.remit.store import db as db_module
from tests.remit_flow.conftest import Flow
from tests.remit_flow.helpers import send_body

NORMAL, FULL = 1, 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL
HOLD_S = 1.0


def _settings(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {name: row(f"PRAGMA {name}")[0] for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}


def test_the_running_remittance_store_syncs_every_commit(flow: Flow) -> None:
    assert _settings(flow.service.db.row) == {"journal_mode": "wal", "synchronous": NORMAL,
                                              "busy_timeout": sqlite_db.BUSY_TIMEOUT_MS, "foreign_keys": 1}


def test_every_money_store_opens_through_the_helper(tmp_path: Path) -> None:
    for conn in (sqlite_db.connect(str(tmp_path / "a.db")), qr_connect(str(tmp_path / "qr.db"))):
        try:
            assert _settings(lambda sql, c=conn: c.execute(sql).fetchone()) == {
                "journal_mode": "wal", "synchronous": FULL, "busy_timeout": sqlite_db.BUSY_TIMEOUT_MS,
                "foreign_keys": 1}
        finally:
            conn.close()
    reader = sqlite_db.connect(str(tmp_path / "a.db"), read_only=True)
    try:
        assert reader.execute("PRAGMA query_only").fetchone()[0] == 1
    finally:
        reader.close()


def _answered_after_a_sync(flow: Flow, monkeypatch: pytest.MonkeyPatch,
                           ask: Callable[[], httpx.Response]) -> tuple[httpx.Response, bool]:
    """``ask``'s answer, asked with every sync of remit.db's WAL held back until the answer arrives (or HOLD_S),
    and whether a sync that follows the request came before the answer."""
    wal = os.stat(flow.data_dir / "remit.db-wal").st_ino
    answered = threading.Event()
    synced_at: list[float] = []
    real_fsync = os.fsync

    def held_fsync(fd: int) -> None:
        if os.fstat(fd).st_ino == wal:
            answered.wait(HOLD_S)
            real_fsync(fd)
            synced_at.append(time.monotonic())
        else:
            real_fsync(fd)

    monkeypatch.setattr(db_module.os, "fsync", held_fsync)
    asked = time.monotonic()
    try:
        answer = ask()
        answered_at = time.monotonic()
    finally:
        answered.set()
    return answer, any(asked < t < answered_at for t in synced_at)


def _stored(flow: Flow, sql: str, key: str) -> tuple[object, ...] | None:
    """The row ``sql`` reads for ``key`` from remit.db as it is on disk, through a connection of its own."""
    reader = sqlite_db.connect(str(flow.data_dir / "remit.db"), read_only=True)
    try:
        return reader.execute(sql, (key,)).fetchone()
    finally:
        reader.close()


def _quote(http: httpx.Client, number: str) -> httpx.Response:
    return http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                               "amount_minor": 20_000, "currency": "EUR"})


def _held_send(http: httpx.Client, number: str) -> dict[str, Any]:
    """A transfer to ``number``'s wallet whose receiver's name is a sanctions hit: what to post to send it."""
    quote = _quote(http, number)
    assert quote.status_code == 201, quote.text
    return send_body(quote.json()["quote_id"], "Mohammed Youssef Karzanithi")


def test_a_quote_is_on_disk_before_the_answer_gives_it(flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote the customer was shown is one it may send under: a crash the moment after the answer must not
    turn that send into 404 3205. The answer must not come before a sync of remit.db that follows the request."""
    number = flow.wallet("mobimo")
    with flow.http("eurosend") as http:
        assert http.get(f"/v1/remit/parties/MSISDN/{number}").status_code == 200  # the look-up's writes before
        quote, synced = _answered_after_a_sync(flow, monkeypatch, lambda: _quote(http, number))
    assert quote.status_code == 201, quote.text
    assert synced, "answered the quote before remit.db was synced"
    quote_id = quote.json()["quote_id"]
    assert _stored(flow, "SELECT quote_id FROM quotes WHERE quote_id = ?", quote_id) is not None


def test_a_held_transfer_is_on_disk_before_the_answer_says_so(flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 202 HELD is an acknowledgement the customer keeps: it must survive a crash the moment after it.
    Every sync of remit.db's WAL is held back until the answer arrives (or HOLD_S): the answer must not come
    before a sync that follows the request."""
    number = flow.wallet("mobimo", "Mohammed", "Karzanithi")
    with flow.http("eurosend") as http:
        body = _held_send(http, number)
        response, synced = _answered_after_a_sync(flow, monkeypatch, lambda: http.post("/v1/remit/transfers",
                                                                                       json=body))
    assert response.status_code == 202, response.text
    assert synced, "answered HELD before remit.db was synced"
    assert _stored(flow, "SELECT state FROM transfers WHERE transfer_id = ?", body["transfer_id"]) == ("HELD",)


def test_an_officer_s_rejection_is_on_disk_before_the_answer_says_so(flow: Flow,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The officer is told the held transfer is rejected only once remit.db holds the decision: a crash the
    moment after must not bring the transfer back as held."""
    number = flow.wallet("mobimo", "Mohammed", "Karzanithi")
    officer = flow.service.officer_tokens["eurosend"]
    with flow.http("eurosend") as http, flow.http(token=officer) as compliance:
        body = _held_send(http, number)
        assert http.post("/v1/remit/transfers", json=body).status_code == 202
        decision = f"/v1/remit/compliance/transfers/{body['transfer_id']}/decision"
        decided, synced = _answered_after_a_sync(
            flow, monkeypatch, lambda: compliance.post(decision, json={"decision": "reject", "note": "a true match"}))
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "REJECTED"
    assert synced, "answered REJECTED before remit.db was synced"
