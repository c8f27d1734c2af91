"""A long answer of the asyncio flavour (an event stream), read as it comes: bytes, or lines of text. A line
longer than the client's answer size limit, or a transport failure on the way, is ``HttpProblem``."""

from __future__ import annotations

import asyncio
import codecs
import re
from collections.abc import AsyncIterator, Mapping

import aiohttp

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


class Stream:
    def __init__(self, response: aiohttp.ClientResponse, what: str, line_chars_max: int) -> None:
        self._response = response
        self._what = what
        self._line_chars_max = line_chars_max
        self.status: int = response.status
        self.headers: Mapping[str, str] = response.headers

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise unanswered(f"{self._what}: the answer broke off ({transport_failure(exc)})") from exc

    async def aiter_lines(self) -> AsyncIterator[str]:
        """Each line without its end (CR, LF or CRLF); the last one even if unended."""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        pending = ""
        async for chunk in self.aiter_bytes():
            text = pending + decoder.decode(chunk)
            held = "\r" if text.endswith("\r") else ""  # maybe the first half of a CRLF
            *lines, pending = _LINE_BREAK.split(text[:len(text) - len(held)])
            pending += held
            for line in lines:
                yield line
            if len(pending) > self._line_chars_max:
                raise unusable(502, f"{self._what}: a line longer than {self._line_chars_max} characters")
        rest = pending.removesuffix("\r") + decoder.decode(b"", final=True)
        if rest:
            yield rest
