"""Each wallet has its own allowance of quotes. The FX provider's allowance is the wallet issuer's, shared by all
its wallets: one visitor's wallet asking without end once used it up for every other visitor of that issuer."""

from __future__ import annotations

from inzira.api.server import serve_in_thread
from inzira.fx.app import fx_app
from inzira.fx.quota import QuoteQuota
from inzira.node.signer import wall_clock_ms
from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import Qr, created, problem

RATE_LIMITED = 3041
BUSY = 2005


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


def test_the_fx_providers_refusal_of_the_issuer_is_busy_not_the_visitors_doing(qr: Qr) -> None:
    """Should the FX provider's allowance for the wallets' issuer run out all the same (its wallets asking
    together), the next visitor is told the service is busy (503, 2005) with the provider's Retry-After: the
    visitor used none of its own allowance up. Served here by an FX provider allowing one quote a second."""
    server = qr.server
    providers, service = server.providers, server.service
    assert providers is not None and service is not None
    stingy = fx_app(providers.fx_desk, providers.fx_tokens, wall_clock_ms,
                    QuoteQuota(wall_clock_ms, per_second=1, burst=1))
    served, _port = serve_in_thread(stingy)
    service.fx.connect(served.base_url)
    try:
        payload = qr.merchant()["static_qr"]["payload"]
        first, second = qr.wallet("CNY"), qr.wallet("CNY")
        created(qr.quote(first, payload, 1_000))
        answer = qr.quote(second, payload, 1_000)
        body = problem(answer, 503, BUSY)
        assert answer.headers["Retry-After"] == "1" and body["retry_after_s"] == 1
    finally:
        service.fx.connect(providers.base_url)
        served.stop()
