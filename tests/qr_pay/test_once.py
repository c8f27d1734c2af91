"""A dynamic QR is paid at most once, even under concurrent attempts, and never after its expiry; a quote
is not paid after its own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.qr_pay.helpers import Qr, created, problem

CONCURRENT_PAYERS = 6
ROUNDS = 4


def test_a_second_payment_of_a_bill_is_refused(qr: Qr) -> None:
    merchant, first, second = qr.merchant(), qr.wallet("CNY", 100_000), qr.wallet("USD", 100_000)
    bill = qr.bill(merchant, 8_000)
    late_quote = created(qr.quote(second, bill["payload"]))  # quoted while the bill was still open
    qr.quote_and_pay(first, bill["payload"])
    problem(qr.quote(second, bill["payload"]), 409, 3154)  # a second scan says it is already paid
    before = qr.balance(second["account"])
    refused = problem(qr.pay(second, late_quote["quote_id"]), 409, 3154)
    assert "already paid" in refused["title"]
    assert qr.balance(second["account"]) == before and qr.balance(merchant["account"]) == 8_000


def test_concurrent_attempts_exactly_one_succeeds(qr: Qr) -> None:
    merchant = qr.merchant()
    wallets = [qr.wallet("CNY", 50_000) for _ in range(CONCURRENT_PAYERS)]
    for round_number in range(ROUNDS):
        bill = qr.bill(merchant, 1_000)
        quotes = [created(qr.quote(w, bill["payload"]))["quote_id"] for w in wallets]
        start = threading.Barrier(CONCURRENT_PAYERS)

        def attempt(i: int) -> tuple[int, int]:
            start.wait()
            response = qr.pay(wallets[i], quotes[i])
            return response.status_code, 0 if response.status_code == 201 else response.json()["code"]

        with ThreadPoolExecutor(CONCURRENT_PAYERS) as pool:
            results = sorted(pool.map(attempt, range(CONCURRENT_PAYERS)))
        assert results[0] == (201, 0) and results[1:] == [(409, 3154)] * (CONCURRENT_PAYERS - 1), results
        assert qr.balance(merchant["account"]) == 1_000 * (round_number + 1)
    spent = sum(50_000 - qr.balance(w["account"]) for w in wallets)
    assert 0 < spent < 50_000 and sum(qr.balance(w["account"]) < 50_000 for w in wallets) <= ROUNDS


def test_the_same_quote_paid_twice_at_once_is_one_payment(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    quote = created(qr.quote(wallet, qr.bill(merchant, 3_000)["payload"]))
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: qr.pay(wallet, quote["quote_id"]), range(2)))
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["payment_id"] == answers[1].json()["payment_id"]
    assert qr.balance(merchant["account"]) == 3_000


def test_an_expired_dynamic_qr_is_refused(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    bill = qr.bill(merchant, 1_500, expires_in_ms=1_000)
    quote = created(qr.quote(wallet, bill["payload"]))
    assert quote["expires_at_ms"] <= bill["expires_at_ms"]  # no quote outlives its bill
    time.sleep(1.2)
    problem(qr.quote(wallet, bill["payload"]), 410, 3340)
    problem(qr.pay(wallet, quote["quote_id"]), 410, 3302)  # its quote expired with the bill
    assert qr.balance(merchant["account"]) == 0


def test_an_expired_quote_is_refused(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    quote = created(qr.quote(wallet, merchant["static_qr"]["payload"], 2_000, ttl_ms=1_000))
    time.sleep(1.1)
    problem(qr.pay(wallet, quote["quote_id"]), 410, 3302)
    assert qr.balance(wallet["account"]) == 50_000 and qr.balance(merchant["account"]) == 0
    bill = qr.bill(merchant, 2_000)
    created(qr.pay(wallet, created(qr.quote(wallet, bill["payload"]))["quote_id"]))  # the bill is still payable
