"""The POS screen's live relays (a bill's status, the payments feed) are bounded in number even when their
requests arrive together.

An attack seen: a relay counted itself only once its generator ran (after an await in the route, then after
the response had started), so many requests arriving at once all passed the route's check and every one was
answered: the limit did not hold, and each answered relay opened a stream of its own to the API.
"""

from __future__ import annotations

from types import ModuleType

import httpx

import pytest

from inzira.web.qr import pos_live, relay
from tests.streams_at_once import answered_together, limit_holds
from tests.web_remit.test_stream_shares import open_streams, status_of_one

LIMIT = 5  # lowered for the test: the real limit is hundreds of sockets
OVER_LIMIT = 15
TIMEOUT_S = 10.0


@pytest.mark.parametrize("module", [relay, pos_live], ids=["bill", "payments"])
def test_relays_asked_for_together_get_the_limit_and_closed_ones_free_their_places(
        demo, signed_in, api, monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    monkeypatch.setattr(module, "STREAMS_MAX", LIMIT)
    pos = signed_in("pos")
    if module is relay:
        for _ in range(LIMIT + 1):  # a bill the API refuses gives its place back at once
            assert pos.get("/qr/pos/bills/bill_0000000000000000f/events").status_code == 404
        path = f"/qr/pos/bills/{api.bill(3_400)['bill_id']}/events"  # open: its relay stays open
    else:
        path = "/qr/pos/events"
    statuses = answered_together(demo.served.app, pos, path, LIMIT + OVER_LIMIT,
                                 demo.served.server.servers[0].get_loop(), TIMEOUT_S)
    assert statuses.count(200) == LIMIT and statuses.count(503) == OVER_LIMIT, statuses
    limit_holds(pos, path, LIMIT, OVER_LIMIT, TIMEOUT_S)  # over HTTP, and the places of the ended ones are free


SHARE = 2  # one merchant's share, lowered with the limit


@pytest.mark.parametrize("module", [relay, pos_live], ids=["bill", "payments"])
def test_one_merchant_holding_screens_leaves_other_merchants_theirs(
        demo, signed_in, api, monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> None:
    """A POS token opening live screens without end had every other merchant's screens answered 503 once the
    process's 200 were taken: each merchant now holds at most its share (429 past it)."""
    monkeypatch.setattr(module, "STREAMS_MAX", LIMIT)
    monkeypatch.setattr(module, "MERCHANT_STREAMS_MAX", SHARE)
    other = api.call("ubumwe", "POST", "/v1/qr/merchants", 201,
                     json={"name": "Share Test Cafe", "city": "Kigali", "mcc": "5812", "location": "KN 3 Rd"})
    hostile, neighbour = signed_in("pos"), signed_in("pos", token=other["merchant_token"])
    path, theirs = "/qr/pos/events", "/qr/pos/events"
    if module is relay:  # open bills: their relays stay open
        path = f"/qr/pos/bills/{api.bill(3_500)['bill_id']}/events"
        with httpx.Client(base_url=demo.url.rstrip("/"), timeout=TIMEOUT_S,
                          headers={"Authorization": f"Bearer {other['merchant_token']}"}) as pos_api:
            made = pos_api.post(f"/v1/qr/merchants/{other['merchant_id']}/bills", json={"amount_minor": 2_500})
            assert made.status_code == 201, made.text
        theirs = f"/qr/pos/bills/{made.json()['bill_id']}/events"
    with open_streams(hostile, path, LIMIT) as statuses:
        assert statuses == [200] * SHARE + [429] * (LIMIT - SHARE), statuses
        assert status_of_one(neighbour, theirs) == 200
