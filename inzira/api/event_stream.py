"""Server-sent events of committed blocks: caught up from the store, then live from the node's feed.

A stream subscribes first and then reads the store, so no block falls between the two; a live event at or
below what was already sent is skipped, one above it sends the stream back to the store for the gap. When
the feed drops a stream that fell behind (``None`` on its queue), the stream subscribes again and catches
up from the store the same way. Each event's ``id`` is the block height, so a client that reconnects with
``Last-Event-ID`` resumes right after the last block it saw.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool

from inzira.api.blockinfo import BlockInfo
from inzira.api.context import ApiContext
from inzira.api.visibility import Caller, may_see
from inzira.node.feed import AsyncSubscription, BlockEvent, FeedFull

RECONNECT_MS = 2_000  # what browsers wait before reconnecting (the SSE "retry" field)
WAKE_S = 0.5  # longest sleep between checks that the server is not closing
_FEED_FULL = b": too many event subscribers on this node, reconnect later\n\n"


def frame(height: int, payload: dict[str, Any]) -> bytes:
    return b"id: %d\nevent: block\ndata: %s\n\n" % (height, msgspec.json.encode(payload))


def stored_payload(info: BlockInfo, caller: Caller) -> dict[str, Any]:
    return {
        "height": info.header.height,
        "hash": info.hash.hex(),
        "timestamp_ms": info.header.timestamp_ms,
        "tx_count": info.header.tx_count,
        "txs": [{"tx_id": line.facts.tx_id.hex() or None, "index": line.index, "code": line.result.code,
                 "kind": line.facts.kind} for line in info.txs if may_see(caller, line.facts.involvement)],
    }


def live_payload(event: BlockEvent) -> dict[str, Any]:
    """For callers who see everything: straight from the feed, without reading the block back."""
    return {
        "height": event.height,
        "hash": event.block_hash.hex(),
        "timestamp_ms": event.timestamp_ms,
        "tx_count": len(event.txs),
        "txs": [{"tx_id": t.tx_id.hex() or None, "index": t.index, "code": t.code, "kind": t.kind}
                for t in event.txs],
    }


class BlockStream:
    def __init__(self, ctx: ApiContext, caller: Caller, next_height: int) -> None:
        self.ctx = ctx
        self.caller = caller
        self.next_height = max(1, next_height)

    def _subscribe(self) -> AsyncSubscription:
        return self.ctx.node.feed.subscribe_async(asyncio.get_running_loop(), self.ctx.settings.events_queue_blocks_max)

    def _read(self, first: int, last: int) -> list[BlockInfo]:
        """Stored blocks from ``first`` to ``last``, stopping at one not stored yet (it is being written)."""
        infos = []
        for height in range(first, last + 1):
            info = self.ctx.blocks.get(height)
            if info is None:
                break
            infos.append(info)
        return infos

    async def _catch_up(self) -> AsyncIterator[bytes]:
        page_blocks = self.ctx.settings.events_replay_page_blocks
        while self.next_height <= self.ctx.node.height:
            first = self.next_height
            last = min(self.ctx.node.height, first + page_blocks - 1)
            infos = await run_in_threadpool(self._read, first, last)
            for info in infos:
                yield frame(info.header.height, stored_payload(info, self.caller))
                self.next_height = info.header.height + 1
            if len(infos) < last - first + 1:
                return  # the next block is not stored yet: its live event will bring it

    async def _payload(self, event: BlockEvent) -> dict[str, Any] | None:
        if self.caller.sees_all:
            return live_payload(event)
        info = await run_in_threadpool(self.ctx.blocks.get, event.height)
        return None if info is None else stored_payload(info, self.caller)

    async def frames(self) -> AsyncIterator[bytes]:
        try:
            sub = self._subscribe()
        except FeedFull:
            yield _FEED_FULL
            return
        heartbeat_s = self.ctx.settings.events_heartbeat_ms / 1000
        loop = asyncio.get_running_loop()
        try:
            yield b"retry: %d\n\n" % RECONNECT_MS
            last_sent_s = loop.time()
            while not self.ctx.closing:
                async for chunk in self._catch_up():
                    yield chunk
                    last_sent_s = loop.time()
                try:
                    event = await asyncio.wait_for(sub.queue.get(), min(WAKE_S, heartbeat_s))
                except TimeoutError:
                    if loop.time() - last_sent_s >= heartbeat_s:
                        yield b": heartbeat\n\n"
                        last_sent_s = loop.time()
                    continue
                if event is None:  # dropped for falling behind: subscribe again, the store fills the gap
                    sub.close()
                    try:
                        sub = self._subscribe()
                    except FeedFull:
                        yield _FEED_FULL
                        return
                    continue
                if event.height != self.next_height:
                    continue  # already sent, or past a gap that the catch-up above fills first
                payload = await self._payload(event)
                if payload is not None:
                    yield frame(event.height, payload)
                    self.next_height = event.height + 1
                    last_sent_s = loop.time()
        finally:
            sub.close()
