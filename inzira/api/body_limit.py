"""ASGI middleware refusing request bodies above a per-path size with a 413 problem (code 3104).

It checks the declared Content-Length up front and counts bytes as a body streams in. When the limit is
crossed mid-read, whatever response the app then tries to send (FastAPI turns a failed body read into a
400) is replaced by the 413, so the caller always learns the real reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inzira.api.problems import PROBLEM_MEDIA_TYPE, Problem, problem_bytes
from inzira.ledger.codes import Code


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, body_bytes_max: int, by_path: Mapping[str, int]) -> None:
        self.app = app
        self.body_bytes_max = body_bytes_max
        self.by_path = dict(by_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit_bytes = self.by_path.get(path, self.body_bytes_max)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit_bytes):
            await self._refuse(send, path, limit_bytes)
            return
        received_bytes = 0
        exceeded = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal received_bytes, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received_bytes += len(message.get("body", b""))
                if received_bytes > limit_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:  # the app answered the failed read: answer 413 instead, once
                refused = True
                await self._refuse(send, path, limit_bytes)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not refused:
                await self._refuse(send, path, limit_bytes)

    @staticmethod
    async def _refuse(send: Send, path: str, limit_bytes: int) -> None:
        body = problem_bytes(Problem(413, Code.TOO_LARGE, f"request body is larger than {limit_bytes} bytes"), path)
        headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
