"""The one ASGI middleware refusing request bodies above a size (the API's, per path, and the simulators'):
a 413 problem+json (code 3104) and ``Connection: close``, since the rest of the body is left unread.

It checks the declared Content-Length up front (a length that is not digits is refused the same way) and
counts bytes as a body streams in (``Transfer-Encoding``: a body of undeclared length; a body with a declared
length, within the limit, is framed by it and needs no counting). Crossed mid-read, the read fails inside
the app; whatever the app then answers (FastAPI turns a failed body read into a 400) is replaced by the 413,
once, so the caller always learns the real reason. A response the app had already started before the limit
was crossed cannot be taken back: the rest of it is dropped and the connection closes.

A part of the app that answers errors in its own format (the FSPIOP gateway's ``errorInformation``) adds its
own instance, outermost, limited to its ``prefix`` and with its own ``answer``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inzira.api.problems import PROBLEM_MEDIA_TYPE, Problem, problem_bytes
from inzira.ledger.codes import Code


# (path, limit in bytes) -> (Content-Type, body) of the 413
Answer = Callable[[str, int], tuple[bytes, bytes]]


class _BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp, body_bytes_max: int, by_path: Mapping[str, int] | None = None, *,
                 prefix: str = "", answer: Answer | None = None) -> None:
        self.app = app
        self.body_bytes_max = body_bytes_max
        self.by_path = dict(by_path or {})
        self.prefix = prefix
        self.answer = answer or _problem

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit_bytes = self.by_path.get(path, self.body_bytes_max)
        declared: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value  # the last one, as before
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None and (not declared.isdigit() or int(declared) > limit_bytes):
            await self._refuse(send, path, limit_bytes)
            return
        if not chunked:
            # A body without Transfer-Encoding is framed by its Content-Length (none: no body), and the server
            # hands the app no more than that: within the limit, it cannot cross it. Nothing to count.
            await self.app(scope, receive, send)
            return
        received_bytes = 0
        exceeded = False
        started = False  # the app's own response is under way
        refused = False  # the 413 went out

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
            nonlocal started, refused
            if not exceeded:
                started = started or message["type"] == "http.response.start"
                await send(message)
            elif not started and not refused:  # the app answered the failed read: answer 413 instead, once
                refused = True
                await self._refuse(send, path, limit_bytes)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started and not refused:
                await self._refuse(send, path, limit_bytes)

    async def _refuse(self, send: Send, path: str, limit_bytes: int) -> None:
        media_type, body = self.answer(path, limit_bytes)
        headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _problem(path: str, limit_bytes: int) -> tuple[bytes, bytes]:
    problem = Problem(413, Code.TOO_LARGE, f"request body is larger than {limit_bytes} bytes")
    return PROBLEM_MEDIA_TYPE.encode(), problem_bytes(problem, path)
