"""The tables of ``qr.db``. Column names match the record fields in ``inzira.qr.records``."""

from __future__ import annotations

import sqlite3

from inzira import sqlite_db

SCHEMA_VERSION = 1
DB_FILE = "qr.db"

_TABLES = """
CREATE TABLE IF NOT EXISTS merchants (
    id TEXT PRIMARY KEY, acquirer TEXT NOT NULL, name TEXT NOT NULL, city TEXT NOT NULL, mcc TEXT NOT NULL,
    location TEXT NOT NULL, postal_code TEXT, alt_language TEXT, alt_name TEXT, alt_city TEXT,
    account TEXT NOT NULL UNIQUE, static_payload TEXT NOT NULL, token_digest BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bills (
    id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, bill_number TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL, payload TEXT NOT NULL, terminal_label TEXT, created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL, status TEXT NOT NULL, payment_id TEXT,
    UNIQUE (merchant_id, bill_number));
-- A merchant's bills not paid, newest last: counted against its cap before each new bill (inzira.qr.bill_limits).
CREATE INDEX IF NOT EXISTS bills_unpaid ON bills (merchant_id, created_at_ms) WHERE status != 'paid';
-- Open bills by expiry: the upkeep finds those expired unpaid long enough to forget (inzira.qr.upkeep).
CREATE INDEX IF NOT EXISTS bills_open_by_expiry ON bills (expires_at_ms) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS wallets (
    id TEXT PRIMARY KEY, issuer TEXT NOT NULL, currency TEXT NOT NULL, account TEXT NOT NULL UNIQUE,
    holder TEXT, token_digest BLOB NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY, quote_id TEXT NOT NULL UNIQUE, wallet_id TEXT NOT NULL, merchant_id TEXT NOT NULL,
    bill_id TEXT, bill_number TEXT, amount_minor INTEGER NOT NULL, wallet_currency TEXT NOT NULL,
    wallet_amount_minor INTEGER NOT NULL, rate TEXT NOT NULL, mid_rate TEXT NOT NULL, margin_percent TEXT NOT NULL,
    fx_margin_minor INTEGER NOT NULL, memo TEXT NOT NULL, tx_id BLOB NOT NULL, status TEXT NOT NULL,
    code INTEGER NOT NULL, height INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, settled_at_ms INTEGER,
    refunded_minor INTEGER NOT NULL DEFAULT 0, refund_reserved_minor INTEGER NOT NULL DEFAULT 0,
    raw_tx BLOB, tx_expires_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS payments_by_merchant ON payments (merchant_id, settled_at_ms);
-- One ledger commit is one payment from outside Inzira, whatever transfer id it is reported under.
CREATE UNIQUE INDEX IF NOT EXISTS external_payments_by_tx ON payments (tx_id) WHERE wallet_id LIKE 'fspiop:%';
CREATE TABLE IF NOT EXISTS refunds (
    id TEXT PRIMARY KEY, payment_id TEXT NOT NULL, merchant_id TEXT NOT NULL, wallet_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL, wallet_currency TEXT NOT NULL, wallet_amount_minor INTEGER NOT NULL,
    rate TEXT NOT NULL, reason TEXT, tx_id BLOB NOT NULL, status TEXT NOT NULL, code INTEGER NOT NULL,
    height INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, settled_at_ms INTEGER,
    raw_tx BLOB, tx_expires_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refunds_by_payment ON refunds (payment_id);
CREATE INDEX IF NOT EXISTS refunds_by_merchant ON refunds (merchant_id, settled_at_ms);
CREATE TABLE IF NOT EXISTS topups (
    id TEXT PRIMARY KEY, wallet_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    card_reference TEXT, tx_id BLOB NOT NULL, status TEXT NOT NULL, code INTEGER NOT NULL,
    height INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, settled_at_ms INTEGER,
    raw_tx BLOB, tx_expires_at_ms INTEGER NOT NULL);
-- Card top-ups: the payment at the issuer's acquirer; the credit is the top-up of the same id above.
CREATE TABLE IF NOT EXISTS card_topups (
    id TEXT PRIMARY KEY, wallet_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
    status TEXT NOT NULL, session_id TEXT UNIQUE, payment_id TEXT UNIQUE, card_form_url TEXT, card_brand TEXT,
    card_last4 TEXT, reason TEXT, expires_at_ms INTEGER NOT NULL, created_at_ms INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS card_topups_by_wallet ON card_topups (wallet_id, created_at_ms);
CREATE INDEX IF NOT EXISTS card_topups_waiting ON card_topups (wallet_id)
    WHERE status IN ('opening', 'awaiting_card', 'pending');
-- Records still waiting for the ledger's verdict: few at any time (recovery, a wallet's "in flight").
CREATE INDEX IF NOT EXISTS payments_waiting ON payments (status) WHERE status = 'submitted';
CREATE INDEX IF NOT EXISTS refunds_waiting ON refunds (status) WHERE status = 'submitted';
CREATE INDEX IF NOT EXISTS topups_waiting ON topups (status) WHERE status = 'submitted';
CREATE TABLE IF NOT EXISTS wallet_entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, wallet_id TEXT NOT NULL, kind TEXT NOT NULL, ref_id TEXT NOT NULL,
    amount_minor INTEGER NOT NULL, balance_after_minor INTEGER NOT NULL, counterparty TEXT, price_minor INTEGER,
    tx_id BLOB NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS wallet_entries_by_wallet ON wallet_entries (wallet_id, seq);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, merchant_id TEXT, bill_id TEXT, wallet_id TEXT,
    acquirer TEXT, at_ms INTEGER NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_merchant ON events (merchant_id, seq) WHERE merchant_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_bill ON events (bill_id, seq) WHERE bill_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_wallet ON events (wallet_id, seq) WHERE wallet_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS webhooks (acquirer TEXT PRIMARY KEY, url TEXT NOT NULL, updated_at_ms INTEGER NOT NULL);
"""



def connect(path: str, *, read_only: bool = False) -> sqlite3.Connection:
    # A claimed bill must survive a power cut, or it could be paid twice: every commit is synced.
    return sqlite_db.connect(path, read_only=read_only)


def create(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, SCHEMA_VERSION):
        raise RuntimeError(f"qr.db has schema version {version}; this code knows {SCHEMA_VERSION}")
    conn.executescript(_TABLES)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
