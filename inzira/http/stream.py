"""A long answer (an event stream), read as it comes, in either flavour: bytes, or lines of text. A line
longer than the client's answer size limit, or a transport failure on the way, is ``HttpProblem``."""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import AsyncIterator, Iterator, Mapping

import aiohttp
import httpx

from inzira.http.problem import unanswered, unusable

_LINE_BREAK = re.compile("\r\n|\r|\n")  # as event streams end lines


def transport_failure(exc: BaseException) -> str:
    """What went wrong, for a problem's detail, in the same words whichever flavour met it."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return "ConnectTimeout"
    if isinstance(exc, asyncio.TimeoutError):
        return "ReadTimeout"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "ConnectError"
    return type(exc).__name__


class _Lines:
    """Bytes in, whole lines out (without their CR, LF or CRLF); the last one even if unended."""

    def __init__(self, what: str, line_chars_max: int) -> None:
        self._what = what
        self._line_chars_max = line_chars_max
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending = ""

    def feed(self, chunk: bytes) -> list[str]:
        text = self._pending + self._decoder.decode(chunk)
        held = "\r" if text.endswith("\r") else ""  # maybe the first half of a CRLF
        *lines, pending = _LINE_BREAK.split(text[:len(text) - len(held)])
        self._pending = pending + held
        return lines

    def check(self) -> None:
        """Once the whole lines are handed out: the unended one must not grow past the limit."""
        if len(self._pending) > self._line_chars_max:
            raise unusable(502, f"{self._what}: a line longer than {self._line_chars_max} characters")

    def end(self) -> list[str]:
        rest = self._pending.removesuffix("\r") + self._decoder.decode(b"", final=True)
        return [rest] if rest else []


class _Opened:
    def __init__(self, what: str, line_chars_max: int, status: int, headers: Mapping[str, str]) -> None:
        self._what = what
        self._line_chars_max = line_chars_max
        self.status = status
        self.headers = headers


class Stream(_Opened):
    """The asyncio flavour's (on aiohttp)."""

    def __init__(self, response: aiohttp.ClientResponse, what: str, line_chars_max: int) -> None:
        super().__init__(what, line_chars_max, response.status, response.headers)
        self._response = response

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise unanswered(f"{self._what}: the answer broke off ({transport_failure(exc)})") from exc

    async def aiter_lines(self) -> AsyncIterator[str]:
        lines = _Lines(self._what, self._line_chars_max)
        async for chunk in self.aiter_bytes():
            for line in lines.feed(chunk):
                yield line
            lines.check()
        for line in lines.end():
            yield line


class BlockingStream(_Opened):
    """The blocking flavour's (on httpx)."""

    def __init__(self, response: httpx.Response, what: str, line_chars_max: int) -> None:
        super().__init__(what, line_chars_max, response.status_code, response.headers)
        self._response = response

    def iter_bytes(self) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes()
        except httpx.HTTPError as exc:
            raise unanswered(f"{self._what}: the answer broke off ({type(exc).__name__})") from exc

    def iter_lines(self) -> Iterator[str]:
        lines = _Lines(self._what, self._line_chars_max)
        for chunk in self.iter_bytes():
            yield from lines.feed(chunk)
            lines.check()
        yield from lines.end()
