"""``/explorer/events``: block headers as server-sent events, catch-up by height, unsubscribe on close."""

from __future__ import annotations

import json
import time

import httpx

from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer

TIMEOUT_S = 10.0
FRAMES_MAX = 50
POLL_S = 0.05


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
