"""``/explorer/events``: a public server-sent event stream of new block headers, for the live home page.

Only headers go out (height, hash, time, transaction count): no transaction, account or member detail, so
in the demo the stream needs no authentication; on a member's own deployment it needs the member's explorer
session, like every explorer page. Each event carries ``id: <height>``; a browser that reconnects sends
``Last-Event-ID`` and gets the blocks it missed from the store, so a dropped subscription loses nothing.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from typing import Any, AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response

from inzira.api.codes import ApiCode
from inzira.api.held_stream import HeldStream
from inzira.api.numbers import INT64_MAX, digits, parse_digits
from inzira.api.problems import Problem, problem_response
from inzira.api.stream_credential import Credential
from inzira.node.feed import AsyncSubscription, FeedFull
from inzira.node.node import Node
from inzira.web.explorer_access import MemberAccess
from inzira.web.explorer_data import Runtime, latest_blocks, stored_height
from inzira.web.rendering import time_kigali, time_utc

EVENTS_PATH = "/explorer/events"
Height = digits(0, INT64_MAX)  # the last height a page has (0: none yet)
STREAMS_MAX = 100  # open explorer streams per process; the feed is shared with the API
STREAMS_PER_CLIENT_MAX = 4  # per client address (a few tabs): one client cannot take every place from the rest
IPV6_CLIENT_PREFIX = 64  # an IPv6 host is handed a /64: its addresses are one client
SUBSCRIBER_QUEUE_MAX = 256  # a page this far behind is dropped and catches up on reconnect
HEARTBEAT_S = 15.0
STREAM_MAX_S = 600.0  # then the browser reconnects (with Last-Event-ID): no connection lives forever
CATCH_UP_BLOCKS_MAX = 20  # the home page shows 20 blocks: older missed ones are not worth sending
RETRY_MS = 2000
BUSY_RETRY_S = 5  # every stream (or every one of this client's) is taken: Retry-After of the 503 (429)
FULL_RETRY_MS = 30_000  # the feed has no room: come back much later


def block_data(height: int, hash_hex: str, timestamp_ms: int, tx_count: int) -> dict[str, Any]:
    return {"height": height, "hash": hash_hex, "timestamp_ms": timestamp_ms, "time_utc": time_utc(timestamp_ms),
            "time_kigali": time_kigali(timestamp_ms), "tx_count": tx_count}


def _frame(data: dict[str, Any]) -> bytes:
    return f"id: {data['height']}\nevent: block\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def client_key(host: str) -> str:
    """Whom a stream is counted against: the IPv4 address (also when written IPv6-mapped), or the IPv6 /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(address)


class BlockStreams:
    """The open streams of one router: bounded in all and per client address, each unsubscribed from the feed
    when it ends."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.active = 0
        self.by_client: dict[str, int] = {}  # open streams per client address (none kept at 0)

    def open(self, host: str, after_height: int | None, credential: Credential | None = None) -> Response:
        """A stream for the client at ``host`` (its address), or the problem saying why not; it ends when
        ``credential`` (the viewer's session, on a member's deployment) lapses."""
        client = client_key(host)
        retry = {"Retry-After": str(BUSY_RETRY_S)}
        if self.active >= STREAMS_MAX:
            busy = Problem(503, ApiCode.BUSY, f"too many live block streams (at most {STREAMS_MAX}); retry later",
                           headers=retry)
            return problem_response(busy, EVENTS_PATH)
        if self.by_client.get(client, 0) >= STREAMS_PER_CLIENT_MAX:  # this client's allowance, as 3041 elsewhere
            many = Problem(429, ApiCode.RATE_LIMITED, f"this client has {STREAMS_PER_CLIENT_MAX} live block streams "
                           "open already; close one or retry later", headers=retry)
            return problem_response(many, EVENTS_PATH)
        self.active += 1  # before any await (inzira.api.held_stream)
        self.by_client[client] = self.by_client.get(client, 0) + 1
        return HeldStream(lambda: self._release(client), self._stream(after_height), credential)

    def _release(self, client: str) -> None:
        self.active -= 1
        left = self.by_client.pop(client) - 1
        if left:
            self.by_client[client] = left

    def _catch_up(self, after_height: int) -> list[dict[str, Any]]:
        """The newest stored blocks above ``after_height``, oldest first (at most CATCH_UP_BLOCKS_MAX)."""
        rows = latest_blocks(self.node, None, CATCH_UP_BLOCKS_MAX)
        return [block_data(r.height, r.hash, r.timestamp_ms, r.tx_count)
                for r in reversed(rows) if r.height > after_height]

    async def _stream(self, after_height: int | None) -> AsyncIterator[bytes]:
        # Subscribing here, not in open(), ties the subscription to this generator's own finally.
        sub: AsyncSubscription | None = None
        try:
            loop = asyncio.get_running_loop()
            try:
                sub = self.node.feed.subscribe_async(loop, SUBSCRIBER_QUEUE_MAX)
            except FeedFull:
                yield f"retry: {FULL_RETRY_MS}\n\n".encode()
                return
            yield f"retry: {RETRY_MS}\n\n".encode()
            # Subscribed first, then read the store: a block lands in one or the other (or both: deduped).
            tip_height = stored_height(self.node)
            # A page claiming a height beyond the tip saw another chain (a demo started afresh): start from now.
            last_height = tip_height if after_height is None else min(after_height, tip_height)
            for data in self._catch_up(last_height):
                yield _frame(data)
                last_height = data["height"]
            deadline_s = loop.time() + STREAM_MAX_S
            while (remaining_s := deadline_s - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), min(HEARTBEAT_S, remaining_s))
                except TimeoutError:
                    yield b": heartbeat\n\n"
                    continue
                if event is None:
                    return  # dropped for falling behind: the browser reconnects and catches up by Last-Event-ID
                if event.height <= last_height:
                    continue
                last_height = event.height
                yield _frame(block_data(event.height, event.block_hash.hex(), event.timestamp_ms, len(event.txs)))
        finally:
            if sub is not None:
                sub.close()


def live_router(runtime: Runtime, access: MemberAccess | None = None) -> APIRouter:
    router = APIRouter()
    streams = BlockStreams(runtime.node)

    @router.get(EVENTS_PATH, include_in_schema=False)
    async def block_events(request: Request, after: Height | None = None) -> Response:
        """New block headers as server-sent events (``event: block``); ``after`` = last height the page has."""
        if access is not None and isinstance(refused := access.data(request), Response):
            return refused
        credential = access.credential(request) if access is not None else None
        resumed = parse_digits(request.headers.get("last-event-id", ""))
        # The peer's address (behind a trusted proxy, the client it names: inzira.api.server).
        host = request.client.host if request.client else ""
        return streams.open(host, resumed if resumed is not None else after, credential)

    return router
