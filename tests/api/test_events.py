"""GET /v1/events: live block events, replay from a height, resuming after Last-Event-ID, visibility."""

from __future__ import annotations

import time

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, Transfer
from inzira.node.feed import AsyncSubscription
from tests.api.helpers import post_tx, problem
from tests.api.sse import EventReader
from tests.streams_at_once import statuses_at_once

EVENT_WAIT_S = 10.0
STREAMS_MAX_HERE = 3
OVER_LIMIT = 30  # streams asked for beyond the limit, all at once


def has_tx(tx_id: str):
    return lambda event: any(t["tx_id"] == tx_id for t in event["txs"])


def test_live_event_for_a_submitted_transaction(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=100)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http:
        with http.stream("GET", "/v1/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            committed = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 40, "EUR"),)))).json()
            event = EventReader(stream).wait_for(has_tx(committed["tx_id"]), EVENT_WAIT_S)
        assert event["height"] == committed["height"] and event["id"] == str(committed["height"])
        tx = next(t for t in event["txs"] if t["tx_id"] == committed["tx_id"])
        assert tx == {"tx_id": committed["tx_id"], "index": committed["index"], "code": 0, "kind": "Transfer"}


def test_replay_from_a_height_and_after_last_event_id(ledger):
    account = ledger.account("silkpay", "CNY")
    issued = ledger.net.execute("sbk", Issue(account, 1_000, "CNY"))
    later = ledger.net.execute("sbk", Issue(account, 2_000, "CNY"))
    tx_id = issued.tx_id.hex()
    with ledger.http("silkpay") as http:
        with http.stream("GET", "/v1/events", params={"from": issued.height}) as stream:
            events = EventReader(stream)
            first = events.first(EVENT_WAIT_S)
            assert first["height"] == issued.height and has_tx(tx_id)(first)
            seen: list[dict] = []
            events.wait_for(has_tx(later.tx_id.hex()), EVENT_WAIT_S, seen)
            assert [e["height"] for e in seen] == list(range(issued.height + 1, later.height + 1))
        resume = {"Last-Event-ID": str(issued.height - 1)}
        with http.stream("GET", "/v1/events", params={"from": 1}, headers=resume) as stream:
            assert EventReader(stream).first(EVENT_WAIT_S)["height"] == issued.height
        problem(http.get("/v1/events", headers={"Last-Event-ID": "yesterday"}), 400, 3100)
        problem(http.get("/v1/events", params={"from": 0}), 400, 3100)


def test_events_list_only_what_the_caller_may_see(ledger):
    account = ledger.account("silkpay", "CNY")
    issued = ledger.net.execute("sbk", Issue(account, 5, "CNY"))
    for member, visible in (("mobimo", False), ("silkpay", True), ("cbr", True)):
        with ledger.http(member) as http, http.stream("GET", "/v1/events", params={"from": issued.height}) as stream:
            event = EventReader(stream).first(EVENT_WAIT_S)
            assert event["height"] == issued.height
            assert has_tx(issued.tx_id.hex())(event) is visible, member


def test_stream_survives_being_dropped_by_the_feed(ledger):
    payer = ledger.account("eurosend", "EUR", funded_minor=100)
    payee = ledger.account("mobimo", "EUR")
    feed = ledger.net.node.feed
    with ledger.http("eurosend") as http, http.stream("GET", "/v1/events") as stream:
        events = EventReader(stream)
        first = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 1, "EUR"),)))).json()
        events.wait_for(has_tx(first["tx_id"]), EVENT_WAIT_S)
        # What the feed does to a subscriber that falls behind: unsubscribe it and put None on its queue.
        for sub in [s for s in feed._subs if isinstance(s, AsyncSubscription)]:
            feed.unsubscribe(sub)
            sub.drop()
        second = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 2, "EUR"),)))).json()
        events.wait_for(has_tx(second["tx_id"]), EVENT_WAIT_S)


def test_closed_streams_unsubscribe(ledger):
    context = ledger.app.state.api
    with ledger.http("ubumwe") as http:
        with http.stream("GET", "/v1/events", params={"from": 1}) as stream:
            events = EventReader(stream)  # kept: dropping the reader closes the response
            events.first(EVENT_WAIT_S)
            assert context.event_streams >= 1
    deadline = time.monotonic() + EVENT_WAIT_S
    while context.event_streams and time.monotonic() < deadline:
        time.sleep(0.02)
    assert context.event_streams == 0
    assert not [s for s in ledger.net.node.feed._subs if isinstance(s, AsyncSubscription)]


def test_streams_asked_for_together_get_at_most_the_limit(ledger):
    """Counted only once a stream's generator ran, requests arriving together all passed the limit's check."""
    app = create_app(ledger.net, settings=ApiSettings(event_streams_max=STREAMS_MAX_HERE))
    served, port = serve_in_thread(app)
    try:
        request = (f"GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   f"Authorization: Bearer {ledger.tokens['ubumwe']}\r\n\r\n").encode()
        statuses = statuses_at_once("127.0.0.1", port, request, STREAMS_MAX_HERE + OVER_LIMIT, EVENT_WAIT_S)
        assert statuses.count(200) == STREAMS_MAX_HERE and statuses.count(503) == OVER_LIMIT
        context = app.state.api
        deadline = time.monotonic() + EVENT_WAIT_S
        while context.event_streams and time.monotonic() < deadline:
            time.sleep(0.02)
        assert context.event_streams == 0
    finally:
        served.stop()
