"""The asyncio flavour of the one HTTP client, on aiohttp: the contract of ``inzira.http.client`` (services,
simulators, pages). aiohttp builds and parses a request in a fraction of httpx's CPU (its parser is in C),
which is what a service making several calls per request pays for (docs/performance.md).

Connections belong to the event loop that opened them: called from another loop (a test's, a restarted
server's), the client keeps a pool there too; a closed loop's pool is dropped when a new loop shows up.
No cookies are kept (services authenticate each call), and a transport failure, before or while an answer
streams in, is ``HttpProblem`` (503, code 2003), never an aiohttp exception.

A URL already in its encoded form goes out exactly as written: yarl would otherwise decode escapes of
unreserved characters and resolve ``.`` and ``..`` segments, so a percent-encoded identifier could name
another resource, and a signed path (FSPIOP-URI) would not be the one sent. ``skip_auto_headers`` names
headers aiohttp must not add on its own (an FSPIOP callback carries no Accept).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import msgspec
from yarl import URL

from inzira.http.answer import Answer, BodyReader
from inzira.http.base import JSON_TYPE, ClientSettings, tls_context
from inzira.http.problem import unanswered
from inzira.http.retry import Retries
from inzira.http.stream import Stream, transport_failure

# Shorter than the usual servers' idle timeout (uvicorn's is 5 s): a connection is not reused as it closes.
KEEPALIVE_MS = 4_000
_NO_TYPE = ("Content-Type",)
# What a URI may hold as it is (RFC 3986): a URL of only these is taken as already encoded.
_ENCODED = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def _query(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query parameters as text, as the blocking flavour writes them (true/false, None as empty, lists repeated)."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            text = "true" if item is True else "false" if item is False else "" if item is None else str(item)
            pairs.append((key, text))
    return pairs


class AsyncHttpClient(ClientSettings):
    def __init__(self, base_url: str = "", *, skip_auto_headers: tuple[str, ...] = (), **settings: Any) -> None:
        super().__init__(base_url, **settings)
        self.skip_auto_headers = skip_auto_headers
        self._sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}
        self._timeout = self._timeouts(self.timeout_ms)

    def connect(self, base_url: str) -> None:
        """Where the other side answers, once known (a demo server on port 0 learns its port when it serves)."""
        self.base_url = base_url.rstrip("/")

    async def aclose(self) -> None:
        """Close this event loop's pool, and those of closed loops (the others go with their loops)."""
        session = self._sessions.pop(asyncio.get_running_loop(), None)
        if session is not None:
            await session.close()
        await self._drop_closed()

    async def send(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                   content: bytes | None = None, data: Mapping[str, str] | None = None,
                   headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
                   timeout_ms: int | None = None, server_hostname: str | None = None) -> Answer:
        """Any answer, read whole; ``HttpProblem`` only when none came (after the retries allowed).
        ``server_hostname``: the name TLS checks, when ``url`` names the host by an address already resolved."""
        target = self._url(self._sendable(method, url))
        session = await self._session()
        what = self._what(method, url)
        options = self._options(params, json, content, data, headers, timeout_ms, server_hostname)
        retries = Retries(method, idempotent, self.retry_budget_ms)
        for _ in range(retries.attempts_max):
            answer, failure = await self._exchange(session, method, target, what, options)
            pause_s = retries.pause_s(answer)
            if pause_s is None:
                break
            await asyncio.sleep(pause_s)
        if answer is None:
            raise unanswered(f"{what}: no answer ({failure})")
        return answer

    async def call(self, method: str, url: str, *, kind: Any = Any, **options: Any) -> Any:
        """The JSON of a success (decoded into ``kind`` when given); any other answer is ``HttpProblem``."""
        answer = await self.send(method, url, **options)
        if not answer.is_success:
            answer.checked(self._what(method, url))
        return answer.json(kind)

    @asynccontextmanager
    async def stream(self, method: str, url: str, *, headers: Mapping[str, str] | None = None,
                     timeout_ms: int | None = None) -> AsyncIterator[Stream]:
        """A long answer, open once its status is a success (else ``HttpProblem``); read it as it comes.
        Its opening (status and headers, or a refusal whole) is held to the attempt's deadline, what follows
        only to ``timeout_ms`` per wait: an event stream may last."""
        target = self._url(self._sendable(method, url))
        session = await self._session()
        what = self._what(method, url)
        options = self._options(None, None, None, None, headers, None, None)
        options["timeout"] = self._timeouts(self.timeout_ms if timeout_ms is None else timeout_ms, whole=False)
        try:
            async with asyncio.timeout(self.attempt_ms(timeout_ms) / 1000):
                response = await session.request(method, target, **options)
                if not 200 <= response.status < 300:
                    try:
                        refusal = await self._read(response, what)
                    finally:
                        response.release()
                    refusal.checked(what)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise unanswered(f"{what}: no answer ({transport_failure(exc)})") from exc
        try:
            yield Stream(response, what, self.answer_bytes_max)
        finally:
            response.release()

    async def _session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        session = self._sessions.get(loop)
        if session is None:
            await self._drop_closed()
            connector = aiohttp.TCPConnector(limit=self.connections_max, keepalive_timeout=KEEPALIVE_MS / 1000,
                                             ssl=tls_context())
            session = self._sessions[loop] = aiohttp.ClientSession(
                connector=connector, headers=self.headers, timeout=self._timeout, trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(), skip_auto_headers=self.skip_auto_headers)
        return session

    async def _drop_closed(self) -> None:
        for loop, session in list(self._sessions.items()):
            if loop.is_closed():  # its connections died with it: closing only marks the pool closed
                del self._sessions[loop]
                await session.close()

    def _url(self, url: str) -> URL | str:
        full = url if url.startswith(("http://", "https://")) else f"{self.base_url}/{url.lstrip('/')}"
        if _ENCODED.fullmatch(full):
            try:
                return URL(full, encoded=True)
            except ValueError:  # a bad host or port: aiohttp meets it again, as a call with no answer
                pass
        return full

    def _timeouts(self, timeout_ms: int, *, whole: bool = True) -> aiohttp.ClientTimeout:
        # As the blocking flavour: the connection within connect_timeout_ms (a free one from the pool within
        # timeout_ms), each wait for the answer's bytes within timeout_ms, and the attempt within attempt_ms
        # (``whole``; a stream is open-ended once ``stream`` has held its opening to attempt_ms).
        total_s = self.attempt_ms(timeout_ms) / 1000 if whole else None
        return aiohttp.ClientTimeout(total=total_s, connect=timeout_ms / 1000, sock_read=timeout_ms / 1000,
                                     sock_connect=(self.connect_timeout_ms or timeout_ms) / 1000)

    def _options(self, params: Mapping[str, Any] | None, json: Any, content: bytes | None,
                 data: Mapping[str, str] | None, headers: Mapping[str, str] | None, timeout_ms: int | None,
                 server_hostname: str | None) -> dict[str, Any]:
        options: dict[str, Any] = {"allow_redirects": False}
        extra = dict(headers or {})
        if json is not None:
            content = msgspec.json.encode(json)
            if not any(name.lower() == "content-type" for name in extra):
                extra["Content-Type"] = JSON_TYPE
        if content is not None:
            options["data"] = content
            if not any(name.lower() == "content-type" for name in extra):
                options["skip_auto_headers"] = _NO_TYPE  # raw bytes go as they are, without a type made up
        elif data is not None:
            options["data"] = dict(data)
        if extra:
            options["headers"] = extra
        if params:
            options["params"] = _query(params)
        if timeout_ms is not None:
            options["timeout"] = self._timeouts(timeout_ms)
        if server_hostname is not None:
            options["server_hostname"] = server_hostname
        return options

    async def _read(self, response: aiohttp.ClientResponse, what: str) -> Answer:
        reader = BodyReader(what, response.headers, self.answer_bytes_max)
        async for chunk in response.content.iter_any():
            reader.add(chunk)
        return reader.answer(response.status, response.headers)

    async def _exchange(self, session: aiohttp.ClientSession, method: str, url: URL | str, what: str,
                        options: dict[str, Any]) -> tuple[Answer | None, str]:
        try:
            async with session.request(method, url, **options) as response:
                return await self._read(response, what), ""
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            return None, transport_failure(exc)
