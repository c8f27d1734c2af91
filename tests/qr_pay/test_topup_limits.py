"""Top-up limits, on a real qr.db: per top-up, the day's amount and attempts per wallet (any 24 hours), and the
balance cap with what is on its way."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from inzira.qr.codes import QrCode
from inzira.qr.records import CardTopUp, insert_sql, values
from inzira.qr.settings import DAY_MS, QrSettings
from inzira.qr.topup_limits import amount_refusal, limit_refusal

SETTINGS = QrSettings(topup_minor_max=500_00, topup_day_minor_max=1_000_00, topup_day_count_max=4,
                      wallet_balance_minor_max=2_000_00)
NOW_MS = 1_800_000_000_000
_seq = iter(range(1, 10_000))


def add(db: sqlite3.Connection, amount_minor: int, status: str, created_ago_ms: int = 60_000,
        expires_in_ms: int = 600_000, wallet_id: str = "w1") -> None:
    created_ms = NOW_MS - created_ago_ms
    card = CardTopUp(f"top_{next(_seq)}", wallet_id, "CNY", amount_minor, status, None, None, None, None, None, None,
                     NOW_MS + expires_in_ms, created_ms, created_ms)
    db.execute(insert_sql("card_topups", CardTopUp), values(card))


def refusal(db: sqlite3.Connection, amount_minor: int, balance_minor: int = 0,
            settings: QrSettings = SETTINGS) -> int | None:
    refused = limit_refusal(db, settings, "w1", "CNY", amount_minor, balance_minor, NOW_MS)
    return None if refused is None else refused.code


def test_one_top_up_is_1_to_the_maximum() -> None:
    assert amount_refusal(SETTINGS, 1) is None and amount_refusal(SETTINGS, 500_00) is None
    for amount in (0, -1, 500_01, 10**30):
        refused = amount_refusal(SETTINGS, amount)
        assert refused is not None and refused.status == 400


def test_the_days_amount_counts_what_may_still_move_or_moved(db: sqlite3.Connection) -> None:
    add(db, 400_00, "authorized")
    add(db, 300_00, "awaiting_card")
    add(db, 200_00, "pending")
    assert refusal(db, 100_00) is None
    assert refusal(db, 100_01) == QrCode.TOPUP_DAY_AMOUNT


def test_declined_expired_and_refunded_ones_do_not_count_towards_the_amount(db: sqlite3.Connection) -> None:
    for status in ("declined", "timed_out", "expired", "failed", "refunded"):
        add(db, 500_00, status)
    add(db, 500_00, "awaiting_card", expires_in_ms=-1)  # its card form closed unpaid
    more_attempts = replace(SETTINGS, topup_day_count_max=10)
    assert refusal(db, 1_000_00, settings=more_attempts) is None
    assert refusal(db, 1_000_01, settings=more_attempts) == QrCode.TOPUP_DAY_AMOUNT


def test_every_attempt_of_the_day_counts_declined_ones_too(db: sqlite3.Connection) -> None:
    for _ in range(3):
        add(db, 1_00, "declined")
    add(db, 1_00, "declined", created_ago_ms=DAY_MS)  # a day old: out of the window
    add(db, 1_00, "declined", wallet_id="w2")  # another wallet's
    assert refusal(db, 1_00) is None
    add(db, 1_00, "declined", created_ago_ms=3_600_000)
    refused = limit_refusal(db, SETTINGS, "w1", "CNY", 1_00, 0, NOW_MS)
    assert refused is not None and refused.code == QrCode.TOPUP_DAY_COUNT and refused.status == 429
    assert refused.extra["resets_at_ms"] == NOW_MS - 3_600_000 + DAY_MS
    assert refused.extra["retry_after_s"] == (DAY_MS - 3_600_000) // 1000  # the API's Retry-After


def test_a_lowered_day_count_tells_when_enough_attempts_leave_the_day(db: sqlite3.Connection) -> None:
    for hours_ago in (5, 4, 3, 2, 1):
        add(db, 1_00, "declined", created_ago_ms=hours_ago * 3_600_000)
    refused = limit_refusal(db, replace(SETTINGS, topup_day_count_max=3), "w1", "CNY", 1_00, 0, NOW_MS)
    assert refused is not None and refused.code == QrCode.TOPUP_DAY_COUNT
    # 5 attempts in the day, 3 allowed: one more fits once those of 5 h, 4 h and 3 h ago are a day old
    assert refused.extra["retry_after_s"] == (DAY_MS - 3 * 3_600_000) // 1000
    none_allowed = limit_refusal(db, replace(SETTINGS, topup_day_count_max=0), "w2", "CNY", 1_00, 0, NOW_MS)
    assert none_allowed is not None and none_allowed.code == QrCode.TOPUP_DAY_COUNT
    assert "retry_after_s" not in none_allowed.extra  # waiting frees nothing


def test_the_balance_cap_counts_the_chain_credits_on_their_way_and_open_payments(db: sqlite3.Connection) -> None:
    add(db, 300_00, "awaiting_card", created_ago_ms=2 * DAY_MS, expires_in_ms=60_000)  # old day, still open
    db.execute("INSERT INTO topups (id, wallet_id, currency, amount_minor, card_reference, tx_id, status, code, "
               "height, created_at_ms, settled_at_ms, raw_tx, tx_expires_at_ms) VALUES ('top_x', 'w1', 'CNY', "
               "20000, 'cp_x', x'00', 'submitted', 0, 0, 0, NULL, NULL, 0)")
    assert refusal(db, 500_00, balance_minor=1_000_00) is None  # 1,000 + 300 + 200 + 500 = 2,000.00
    refused = limit_refusal(db, SETTINGS, "w1", "CNY", 500_01, 1_000_00, NOW_MS)
    assert refused is not None and refused.code == QrCode.WALLET_BALANCE_LIMIT and refused.status == 422
    assert refused.extra["balance_minor"] == 1_500_00
