"""A merchant's unpaid bills of a day are capped: each bill is a row of qr.db for good, and a POS token once made
them without end. Counted on a real qr.db (what counts, what does not) and through the API (the refusal)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from inzira.qr.bill_limits import bill_refusal
from inzira.qr.codes import QrCode
from inzira.qr.records import EXPIRED, OPEN, PAID, PAYING, Bill, insert_sql, values
from inzira.qr.settings import DAY_MS, QrSettings
from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import Qr, created, problem

SETTINGS = QrSettings(bills_unpaid_day_max=3)
NOW_MS = 1_800_000_000_000
_seq = iter(range(1, 10_000))


def add(db: sqlite3.Connection, status: str, created_ago_ms: int = 60_000, merchant_id: str = "m1",
        life_ms: int = 1_000) -> None:
    n = next(_seq)
    created_ms = NOW_MS - created_ago_ms
    bill = Bill(f"bill_{n}", merchant_id, f"B{n}", 1_000, "RWF", "payload", None, created_ms, created_ms + life_ms,
                status, None)
    db.execute(insert_sql("bills", Bill), values(bill))


def refused(db: sqlite3.Connection, settings: QrSettings = SETTINGS) -> int | None:
    found = bill_refusal(db, settings, "m1", NOW_MS)
    return None if found is None else found.code


def test_unpaid_bills_of_the_day_count_expired_ones_too(db: sqlite3.Connection) -> None:
    add(db, OPEN)  # expired unpaid a minute ago: a short life frees no place
    add(db, PAYING, life_ms=600_000)
    assert refused(db) is None
    add(db, OPEN, created_ago_ms=3_600_000)
    found = bill_refusal(db, SETTINGS, "m1", NOW_MS)
    assert found is not None and found.code == QrCode.BILL_DAY_COUNT and found.status == 429
    assert found.extra["limit"] == 3 and found.extra["resets_at_ms"] == NOW_MS - 3_600_000 + DAY_MS
    assert found.extra["retry_after_s"] == (DAY_MS - 3_600_000) // 1000


def test_paid_bills_day_old_bills_and_other_merchants_do_not_count(db: sqlite3.Connection) -> None:
    for _ in range(5):
        add(db, PAID)
    add(db, OPEN, created_ago_ms=DAY_MS)  # a day old: out of the window
    add(db, EXPIRED, created_ago_ms=DAY_MS + 1)
    for _ in range(5):
        add(db, OPEN, merchant_id="m2")
    add(db, OPEN)
    add(db, OPEN)
    assert refused(db) is None
    assert refused(db, replace(SETTINGS, bills_unpaid_day_max=2)) == QrCode.BILL_DAY_COUNT


def test_a_pos_token_cannot_make_bills_without_end(qr: Qr) -> None:
    merchant, other = qr.merchant(), qr.merchant()
    pos = qr.pos(merchant)
    path = f"/v1/qr/merchants/{merchant['merchant_id']}/bills"
    for _ in range(TEST_SETTINGS.bills_unpaid_day_max):
        created(pos.post(path, json={"amount_minor": 1_000, "expires_in_ms": 1_000}))
    answer = pos.post(path, json={"amount_minor": 1_000})
    body = problem(answer, 429, QrCode.BILL_DAY_COUNT)
    assert body["limit"] == TEST_SETTINGS.bills_unpaid_day_max and body["resets_at_ms"] > body["retry_after_s"]
    assert 0 < int(answer.headers["Retry-After"]) <= DAY_MS // 1000
    problem(qr.ubumwe.post(path, json={"amount_minor": 1_000}), 429, QrCode.BILL_DAY_COUNT)  # the acquirer too
    qr.bill(other, 1_000)  # another merchant's share is its own
