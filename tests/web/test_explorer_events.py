"""``/explorer/events``: block headers as server-sent events, catch-up by height, unsubscribe on close."""

from __future__ import annotations

import json
import time

import httpx

from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.web.live import BUSY_RETRY_S, EVENTS_PATH, STREAMS_MAX, STREAMS_PER_CLIENT_MAX, BlockStreams
from tests.streams_at_once import loopback_sources, statuses_at_once

TIMEOUT_S = 10.0
FRAMES_MAX = 50
POLL_S = 0.05
OVER_LIMIT = 50  # streams asked for beyond STREAMS_MAX, all at once


def read_blocks(lines, count: int) -> list[dict]:
    """The next ``count`` block events from an SSE line iterator (bounded by FRAMES_MAX lines of data)."""
    blocks: list[dict] = []
    event_id = None
    for _ in range(FRAMES_MAX * 4):
        line = next(lines)
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            data = json.loads(line[6:])
            assert data["height"] == event_id
            blocks.append(data)
            if len(blocks) == count:
                return blocks
    raise AssertionError(f"only {len(blocks)} of {count} block events arrived")


def until_subscribed(lines) -> None:
    """The stream's first frame (``retry:``) is sent once it is subscribed to the feed."""
    for _ in range(FRAMES_MAX):
        if next(lines).startswith("retry: "):
            return
    raise AssertionError("the stream never said it was subscribed")


def subscribers(demo) -> int:
    return len(demo.net.node.feed._subs)  # the feed keeps no public count; the test only reads it


def test_stream_catches_up_then_pushes_new_blocks_and_unsubscribes(demo, base_url):
    tip = demo.net.node.store.tip().height
    before = subscribers(demo)
    with httpx.stream("GET", base_url + "/explorer/events", params={"after": tip - 2}, timeout=TIMEOUT_S) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        caught_up = read_blocks(lines, 2)
        assert [b["height"] for b in caught_up] == [tip - 1, tip]
        assert set(caught_up[0]) == {"height", "hash", "timestamp_ms", "time_utc", "time_kigali", "tx_count"}
        assert caught_up[1]["hash"] == demo.net.node.store.tip().block_hash.hex()
        outcome = demo.net.execute("eurosend", Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 100, "EUR"),)))
        pushed = read_blocks(lines, 1)[0]
        assert pushed["height"] == outcome.height and pushed["tx_count"] == 1
        assert pushed["time_utc"].endswith("UTC") and pushed["time_kigali"].endswith("CAT")
        assert subscribers(demo) == before + 1
    deadline = time.monotonic() + TIMEOUT_S
    while subscribers(demo) != before and time.monotonic() < deadline:
        time.sleep(POLL_S)
    assert subscribers(demo) == before


def test_last_event_id_resumes_after_that_height(demo, base_url):
    tip = demo.net.node.store.tip().height
    headers = {"Last-Event-ID": str(tip - 1)}
    with httpx.stream("GET", base_url + "/explorer/events", params={"after": 0}, headers=headers,
                      timeout=TIMEOUT_S) as r:
        assert [b["height"] for b in read_blocks(r.iter_lines(), 1)] == [tip]


def test_a_page_from_another_chain_starts_from_the_tip(demo, base_url):
    """A browser left open on an older, longer chain (the demo started afresh) still gets new blocks."""
    with httpx.stream("GET", base_url + "/explorer/events", headers={"Last-Event-ID": "999999"},
                      timeout=TIMEOUT_S) as r:
        lines = r.iter_lines()
        until_subscribed(lines)
        outcome = demo.net.execute("eurosend", Transfer(legs=(Leg("eurosend:eur", "mobimo:eur", 100, "EUR"),)))
        assert read_blocks(lines, 1)[0]["height"] == outcome.height


def test_a_stream_holds_its_place_from_the_moment_it_is_answered(demo):
    """Counted only once a stream started, requests arriving together all passed the check: hundreds over
    the limit. Each answered stream must take its place at once, before it sends anything."""
    streams = BlockStreams(demo.net.node)
    answered = [streams.open(f"10.0.0.{i}", None) for i in range(STREAMS_MAX)]
    assert all(r.status_code == 200 for r in answered)
    refused = streams.open("10.0.1.1", None)
    assert refused.status_code == 503 and refused.headers["retry-after"] == str(BUSY_RETRY_S)
    assert refused.media_type == "application/problem+json" and json.loads(refused.body)["code"] == 2005


def test_requests_arriving_together_get_at_most_the_limit_and_a_closed_stream_frees_its_place(demo, base_url):
    url = httpx.URL(base_url)
    request = f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {url.host}\r\n\r\n".encode()
    count = STREAMS_MAX + OVER_LIMIT
    sources = loopback_sources(count, STREAMS_PER_CLIENT_MAX)  # many clients, none over its own limit
    statuses = statuses_at_once(url.host, url.port, request, count, TIMEOUT_S, sources)
    assert statuses.count(200) == STREAMS_MAX and statuses.count(503) == OVER_LIMIT
    deadline = time.monotonic() + TIMEOUT_S
    while True:  # the server notices the closed connections and frees their places
        with httpx.stream("GET", base_url + EVENTS_PATH, timeout=TIMEOUT_S) as r:
            if r.status_code == 200:
                break
        assert time.monotonic() < deadline, "closed streams never freed their places"
        time.sleep(POLL_S)


def test_one_client_cannot_hold_every_stream(demo, base_url):
    """One address could open all 100 anonymous streams and starve every other page: it gets at most
    STREAMS_PER_CLIENT_MAX, the rest 429 (3041, Retry-After), while another client still gets a stream."""
    url = httpx.URL(base_url)
    request = f"GET {EVENTS_PATH} HTTP/1.1\r\nHost: {url.host}\r\n\r\n".encode()
    count = STREAMS_PER_CLIENT_MAX + OVER_LIMIT
    statuses = statuses_at_once(url.host, url.port, request, count, TIMEOUT_S, ["127.0.0.9"] * count)
    assert statuses.count(200) == STREAMS_PER_CLIENT_MAX and statuses.count(429) == OVER_LIMIT


def test_a_client_over_its_limit_gets_429_and_others_are_still_served(demo):
    streams = BlockStreams(demo.net.node)
    held = [streams.open("192.0.2.1", None) for _ in range(STREAMS_PER_CLIENT_MAX)]
    assert all(r.status_code == 200 for r in held)
    refused = streams.open("192.0.2.1", None)
    assert refused.status_code == 429 and refused.headers["retry-after"] == str(BUSY_RETRY_S)
    assert refused.media_type == "application/problem+json" and json.loads(refused.body)["code"] == 3041
    assert streams.open("192.0.2.2", None).status_code == 200


def test_the_addresses_of_one_ipv6_network_are_one_client(demo):
    """An IPv6 host is handed a /64: counted by address, it could open STREAMS_PER_CLIENT_MAX streams from each."""
    streams = BlockStreams(demo.net.node)
    held = [streams.open(f"2001:db8:1:2::{i + 1:x}", None) for i in range(STREAMS_PER_CLIENT_MAX)]
    assert all(r.status_code == 200 for r in held)
    assert streams.open("2001:db8:1:2:ffff::9", None).status_code == 429
    assert streams.open("2001:db8:1:3::1", None).status_code == 200
