"""Each wallet has its own allowance of quotes. The FX provider's allowance is the wallet issuer's, shared by all
its wallets: one visitor's wallet asking without end once used it up for every other visitor of that issuer."""

from __future__ import annotations

from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import Qr, created, problem

RATE_LIMITED = 3041


def test_one_wallet_asking_without_end_leaves_the_others_their_quotes(qr: Qr) -> None:
    merchant = qr.merchant()
    spammer, neighbour = qr.wallet("CNY"), qr.wallet("CNY")  # one issuer: one allowance at the FX provider
    payload = merchant["static_qr"]["payload"]
    for _ in range(TEST_SETTINGS.wallet_quotes_burst):
        created(qr.quote(spammer, payload, 1_000))
    answer = qr.quote(spammer, payload, 1_000)
    body = problem(answer, 429, RATE_LIMITED)
    wait_s = int(answer.headers["Retry-After"])
    assert 1 <= wait_s <= 60 // TEST_SETTINGS.wallet_quotes_per_minute + 1 and body["retry_after_s"] == wait_s
    problem(qr.quote(spammer, "not a QR at all"), 429, RATE_LIMITED)  # refused before any work
    assert created(qr.quote(neighbour, payload, 1_000))["wallet_amount_minor"] > 0
