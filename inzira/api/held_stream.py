"""A streaming response that holds a place in a bounded set of open streams from the moment it is answered.

A limit checked in the route but counted only once the stream's generator runs lets requests arriving
together all pass the check (the generator starts after an await). The place is taken where the check is,
before any await, and ``release`` gives it back once the response has been sent or its client has gone,
whether or not the generator ever started.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping

from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

EVENT_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class HeldStream(StreamingResponse):
    def __init__(self, release: Callable[[], None], content: AsyncIterator[bytes],
                 headers: Mapping[str, str] = EVENT_STREAM_HEADERS, media_type: str = "text/event-stream") -> None:
        super().__init__(content, headers=headers, media_type=media_type)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
