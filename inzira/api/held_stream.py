"""The one kind of response every event stream is: its credential re-checked while it is open, and (a
``HeldStream``) a place held in a bounded set of open streams from the moment it is answered.

A stream is let in by its credential once, when it opens; it may then live for minutes. A member removed
from the network, stripped of the role that let it in, or a page session signed out or expired, must stop
seeing events at once, not when the stream would have ended anyway. So ``LiveStream`` asks the stream's
``Credential`` again before each chunk it sends and every ``CREDENTIAL_CHECK_MS`` while the stream is quiet
(one watcher per stream, not one per event); when it no longer holds, the stream ends with a last
``event: closed`` frame naming why (``data: {reason, code, detail}``), and a client that reconnects is refused.

A limit checked in the route but counted only once the stream's generator runs lets requests arriving
together all pass the check (the generator starts after an await). ``HeldStream`` takes the place where the
check is, before any await, and ``release`` gives it back once the response has been sent or its client has
gone, whether or not the generator ever started.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping

import anyio
from starlette.responses import JSONResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from inzira.api.responses import NO_STORE
from inzira.api.stream_credential import Credential, Lapse

EVENT_STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
CREDENTIAL_CHECK_MS = 2_000  # longest a quiet stream goes on after its credential lapsed
BUSY_RETRY_S = 5


class StreamSlots:
    """The places of a bounded set of open streams, where each owner (a member, a merchant) may hold only its share:
    one holding all of its share leaves the other places to the rest. A place is taken where the limit is checked
    (``take``, before any await) and given back by the ``HeldStream`` the route returns (``release``)."""

    def __init__(self) -> None:
        self.active = 0
        self.by_owner: dict[str, int] = {}  # places held per owner (none kept at 0)

    def take(self, owner: str, slots_max: int, owner_slots_max: int, what: str) -> JSONResponse | None:
        """Take a place for ``owner``: None when taken, else the refusal as a page's script reads it (``what``:
        the streams, in words, as "live screens"): 429 when ``owner`` holds its ``owner_slots_max`` already, 503
        when all ``slots_max`` are taken, with Retry-After and no-store."""
        held = self.by_owner.get(owner, 0)
        if held < owner_slots_max and self.active < slots_max:
            self.active += 1
            self.by_owner[owner] = held + 1
            return None
        mine = held >= owner_slots_max
        detail = f"{owner_slots_max} {what} of yours are open already; close one or retry later" if mine \
            else f"too many {what}; retry later"
        return JSONResponse({"detail": detail}, 429 if mine else 503,
                            {"Retry-After": str(BUSY_RETRY_S), **NO_STORE})

    def release(self, owner: str) -> None:
        self.active -= 1
        left = self.by_owner.pop(owner) - 1
        if left:
            self.by_owner[owner] = left


class LiveStream(StreamingResponse):
    def __init__(self, content: AsyncIterator[bytes], credential: Credential | None,
                 headers: Mapping[str, str] = EVENT_STREAM_HEADERS, media_type: str = "text/event-stream") -> None:
        """``credential``: None for a stream that needs none (the demo's public explorer, a stream that sends
        one snapshot and ends)."""
        super().__init__(content, headers=headers, media_type=media_type)
        self._credential = credential
        self._content = content

    async def stream_response(self, send: Send) -> None:
        credential = self._credential
        if credential is None:
            await super().stream_response(send)
            return
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        lapse = await self._relay(send, credential)
        if lapse is not None:
            await send({"type": "http.response.body", "body": lapse.frame(), "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _relay(self, send: Send, credential: Credential) -> Lapse | None:
        """Send the content until it ends or the credential lapses; the lapse, when that is why it stopped."""
        lapse: Lapse | None = None
        async with anyio.create_task_group() as group:

            async def watch() -> None:
                nonlocal lapse
                while (lapse := credential()) is None:
                    await anyio.sleep(CREDENTIAL_CHECK_MS / 1000)
                group.cancel_scope.cancel()  # the content's wait is cancelled: its own finally runs

            group.start_soon(watch)
            try:
                async for chunk in self._content:
                    if (lapse := credential()) is not None:
                        break
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                aclose = getattr(self._content, "aclose", None)
                if aclose is not None:
                    await aclose()
            group.cancel_scope.cancel()
        return lapse


class HeldStream(LiveStream):
    def __init__(self, release: Callable[[], None], content: AsyncIterator[bytes], credential: Credential | None,
                 headers: Mapping[str, str] = EVENT_STREAM_HEADERS, media_type: str = "text/event-stream") -> None:
        super().__init__(content, credential, headers, media_type)
        self._release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._release()
