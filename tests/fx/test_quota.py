"""One client cannot take the desk from the others: each has an allowance of quotes (``inzira.fx.quota``), and
beyond it gets 429 with code 3041 and Retry-After, while the other clients are served as before."""

from __future__ import annotations

from inzira.api.server import serve_in_thread
from inzira.fx.app import fx_app
from inzira.fx.quota import QuoteQuota
from tests.fx.conftest import QUOTES, TOKENS, Clock, Served, desk

ASK = {"source_currency": "EUR", "target_currency": "RWF", "source_amount_minor": 100_00}


def test_a_client_past_its_allowance_waits_and_the_others_do_not() -> None:
    clock = Clock()
    the_desk = desk()
    server, _port = serve_in_thread(fx_app(the_desk, TOKENS, clock, QuoteQuota(clock, per_second=2, burst=3)))
    try:
        served = Served(server.base_url, the_desk, clock)
        with served.http(TOKENS["eurosend"]) as greedy, served.http(TOKENS["silkpay"]) as other:
            statuses = [greedy.post(QUOTES, json={**ASK, "for_member": "eurosend"}).status_code for _ in range(3)]
            assert statuses == [201, 201, 201]
            refused = greedy.post(QUOTES, json={**ASK, "for_member": "eurosend"})
            assert refused.status_code == 429, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == 3041 and refused.headers["retry-after"] == "1"
            assert other.post(QUOTES, json={**ASK, "for_member": "silkpay"}).status_code == 201
            clock.now_ms += 499  # half a quote's worth of time: still nothing
            assert greedy.post(QUOTES, json={**ASK, "for_member": "eurosend"}).status_code == 429
            clock.now_ms += 1
            assert greedy.post(QUOTES, json={**ASK, "for_member": "eurosend"}).status_code == 201
            clock.now_ms += 3_600_000  # an idle hour refills the burst, no more
            assert [greedy.post(QUOTES, json={**ASK, "for_member": "eurosend"}).status_code
                    for _ in range(4)] == [201, 201, 201, 429]
    finally:
        server.stop()


def test_a_refused_request_spends_no_allowance() -> None:
    """A request refused before the desk (a quote for another member: 403) is not counted."""
    clock = Clock()
    quota = QuoteQuota(clock, per_second=1, burst=1)
    server, _port = serve_in_thread(fx_app(desk(), TOKENS, clock, quota))
    try:
        with Served(server.base_url, desk(), clock).http(TOKENS["eurosend"]) as http:
            for _ in range(3):
                assert http.post(QUOTES, json={**ASK, "for_member": "silkpay"}).status_code == 403
            assert http.post(QUOTES, json={**ASK, "for_member": "eurosend"}).status_code == 201
    finally:
        server.stop()
