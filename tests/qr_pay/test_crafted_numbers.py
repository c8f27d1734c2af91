"""Crafted numbers at the QR API: a statement cursor, an event id, an amount. Each is a 400 problem with code
3100; "²" passes ``str.isdigit()`` yet ``int()`` refuses it, and a number past 64 bits cannot reach SQLite."""

from __future__ import annotations

import pytest

from inzira.ledger.codes import Code
from tests.qr_pay.helpers import problem

PAST_64_BITS = "34972068125625303040"


@pytest.mark.parametrize("cursor", ["²:pay_x", f"{PAST_64_BITS}:pay_x", "+5:pay_x", "5"])
def test_crafted_statement_cursor_is_400(qr, cursor):
    merchant = qr.merchant()
    answer = qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/statement", params={"cursor": cursor})
    problem(answer, 400, Code.VALIDATION)


@pytest.mark.parametrize("query", [{"after": PAST_64_BITS}, {"after": "+1"}, {"limit": "1_0"},
                                   {"before": PAST_64_BITS}])
def test_crafted_history_and_event_numbers_are_400(qr, query):
    wallet = qr.wallet()
    path = f"/v1/qr/wallets/{wallet['wallet_id']}/{'events' if 'after' in query else 'history'}"
    problem(qr.visitor(wallet).get(path, params=query), 400, Code.VALIDATION)


@pytest.mark.parametrize("last_event_id", ["²".encode("latin-1"), PAST_64_BITS.encode()])
def test_crafted_last_event_id_is_400(qr, last_event_id):
    wallet = qr.wallet()
    answer = qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/events",
                                    headers={"Last-Event-ID": last_event_id})
    problem(answer, 400, Code.VALIDATION)


@pytest.mark.parametrize("amount", [2**70, 5.0, True, "5x", "5000", "1000000"])
def test_crafted_amounts_are_400(qr, amount):
    """A body's amount is a JSON integer: "5000" once made a bill of 5,000 RWF, though the request said a string."""
    merchant = qr.merchant()
    answer = qr.pos(merchant).post(f"/v1/qr/merchants/{merchant['merchant_id']}/bills", json={"amount_minor": amount})
    problem(answer, 400, Code.VALIDATION)


@pytest.mark.parametrize("field", ["amount_minor", "ttl_ms"])
def test_a_quote_with_a_number_in_a_string_is_400(qr, field):
    merchant, wallet = qr.merchant(), qr.wallet()
    body = {"payload": merchant["static_qr"]["payload"], "amount_minor": 1_000, field: "1000"}
    answer = qr.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/quotes", json=body)
    problem(answer, 400, Code.VALIDATION)
