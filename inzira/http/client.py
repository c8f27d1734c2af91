"""The product's one HTTP client, on httpx, in a blocking and an asyncio flavour of the same contract:

- one pool of keep-alive connections per client (``connections_max``), opened on first use, TLS with one
  shared context (building one loads the CA bundle: ~0.1 s), no proxy from the environment, no redirect;
- a timeout on every call (``timeout_ms``, or the call's own), and a limit on every answer's size;
- idempotent calls retried within a time budget (``retry_budget_ms``, see ``inzira.http.retry``);
- ``send`` hands back any answer (the caller reads its status: callbacks, webhooks); ``call`` hands back the
  JSON of a success and turns anything else into ``HttpProblem``; ``stream`` opens a long answer (events).

No answer at all is always ``HttpProblem`` (503, code 2003, ``answered`` False), never an httpx exception.
Tests pass ``transport`` (an ``httpx.MockTransport``) only where the network is not the point.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import msgspec

from inzira.http.answer import Answer, BodyReader
from inzira.http.problem import unanswered
from inzira.http.retry import Retries

TIMEOUT_MS = 10_000
CONNECTIONS_MAX = 100  # per client, as httpx's own default
ANSWER_BYTES_MAX = 1024 * 1024
JSON_TYPE = "application/json"
Url = str | httpx.URL


@functools.cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _timeout(timeout_ms: int, connect_timeout_ms: int | None) -> httpx.Timeout:
    return httpx.Timeout(timeout_ms / 1000, connect=(connect_timeout_ms or timeout_ms) / 1000)


class _Base(abc.ABC):
    """What both flavours hold: the settings, and how a call becomes an httpx request."""

    def __init__(self, base_url: str = "", *, timeout_ms: int = TIMEOUT_MS, connect_timeout_ms: int | None = None,
                 retry_budget_ms: int = 0, connections_max: int = CONNECTIONS_MAX,
                 answer_bytes_max: int = ANSWER_BYTES_MAX, headers: Mapping[str, str] | None = None,
                 transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_ms = timeout_ms
        self.connect_timeout_ms = connect_timeout_ms
        self.retry_budget_ms = retry_budget_ms
        self.answer_bytes_max = answer_bytes_max
        self._options: dict[str, Any] = {
            "base_url": self.base_url, "timeout": _timeout(timeout_ms, connect_timeout_ms), "trust_env": False,
            "follow_redirects": False, "headers": dict(headers or {}), "transport": transport,
            "limits": httpx.Limits(max_connections=connections_max, max_keepalive_connections=connections_max)}
        self._open()

    @abc.abstractmethod
    def _open(self) -> None:
        """Make what the flavour sends with (a pool, or the means to make one per event loop)."""

    def _build(self, http: httpx.Client | httpx.AsyncClient, method: str, url: Url, params: Mapping[str, Any] | None,
               json: Any, content: bytes | None, data: Mapping[str, str] | None, headers: Mapping[str, str] | None,
               timeout_ms: int | None, extensions: Mapping[str, Any] | None) -> httpx.Request:
        extra = dict(headers or {})
        if json is not None:
            content = msgspec.json.encode(json)
            extra.setdefault("Content-Type", JSON_TYPE)
        timeout = None if timeout_ms is None else _timeout(timeout_ms, self.connect_timeout_ms)
        return http.build_request(method, url, params=params, content=content, data=data, headers=extra,
                                  timeout=timeout if timeout is not None else http.timeout,
                                  extensions=dict(extensions or {}))

    @staticmethod
    def _what(method: str, url: Url) -> str:
        """The call, for a problem's detail: method and path only (a detail may travel to another caller, who
        has no business knowing the addresses behind this service)."""
        return f"{method} {httpx.URL(url).path}"


class HttpClient(_Base):
    """The blocking flavour (CLI, benchmarks' set-up, simulators' admin clients)."""

    def _open(self) -> None:
        self._http = httpx.Client(verify=tls_context(), **self._options)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, method: str, url: Url, *, params: Mapping[str, Any] | None = None, json: Any = None,
             content: bytes | None = None, data: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
             timeout_ms: int | None = None) -> Answer:
        """Any answer, read whole; ``HttpProblem`` only when none came (after the retries allowed)."""
        request = self._build(self._http, method, url, params, json, content, data, headers, timeout_ms, None)
        retries = Retries(method, idempotent, self.retry_budget_ms)
        for _ in range(retries.attempts_max):
            answer, failure = self._exchange(request)
            pause_s = retries.pause_s(answer)
            if pause_s is None:
                break
            time.sleep(pause_s)
        if answer is None:
            raise unanswered(f"{self._what(method, url)}: no answer ({failure})")
        return answer

    def call(self, method: str, url: Url, *, kind: Any = Any, **options: Any) -> Any:
        """The JSON of a success (decoded into ``kind`` when given); any other answer is ``HttpProblem``."""
        answer = self.send(method, url, **options)
        if not answer.is_success:
            answer.checked(self._what(method, url))
        return answer.json(kind)

    @contextmanager
    def stream(self, method: str, url: Url, *, headers: Mapping[str, str] | None = None,
               timeout_ms: int | None = None) -> Iterator[httpx.Response]:
        """A long answer, open once its status is a success (else ``HttpProblem``); read it as it comes."""
        request = self._build(self._http, method, url, None, None, None, None, headers, timeout_ms, None)
        what = self._what(method, url)
        try:
            response = self._http.send(request, stream=True)
            try:
                if not response.is_success:
                    reader = BodyReader(response, self.answer_bytes_max)
                    for chunk in response.iter_bytes():
                        reader.add(chunk)
                    reader.answer(response).checked(what)
                yield response
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise unanswered(f"{what}: no answer ({type(exc).__name__})") from exc

    def _exchange(self, request: httpx.Request) -> tuple[Answer | None, str]:
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        try:
            reader = BodyReader(response, self.answer_bytes_max)
            for chunk in response.iter_bytes():
                reader.add(chunk)
            return reader.answer(response), ""
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        finally:
            response.close()


class AsyncHttpClient(_Base):
    """The asyncio flavour (services, simulators, pages). Connections belong to the event loop that opened
    them: called from another loop (a test's, a restarted server's), the client keeps a pool there too."""

    def _open(self) -> None:
        # One pool per event loop, dropped with its loop: a pool's connections cannot serve another loop.
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = \
            weakref.WeakKeyDictionary()

    def connect(self, base_url: str) -> None:
        """Where the other side answers, once known (a demo server on port 0 learns its port when it serves)."""
        self.base_url = self._options["base_url"] = base_url.rstrip("/")
        for http in self._pools.values():
            http.base_url = self.base_url

    async def aclose(self) -> None:
        """Close this event loop's pool (the others go with their loops)."""
        http = self._pools.pop(asyncio.get_running_loop(), None)
        if http is not None:
            await http.aclose()

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        http = self._pools.get(loop)
        if http is None:
            http = self._pools[loop] = httpx.AsyncClient(verify=tls_context(), **self._options)
        return http

    async def send(self, method: str, url: Url, *, params: Mapping[str, Any] | None = None, json: Any = None,
                   content: bytes | None = None, data: Mapping[str, str] | None = None,
                   headers: Mapping[str, str] | None = None, idempotent: bool | None = None,
                   timeout_ms: int | None = None, extensions: Mapping[str, Any] | None = None) -> Answer:
        """Any answer, read whole; ``HttpProblem`` only when none came (after the retries allowed)."""
        http = self._client()
        request = self._build(http, method, url, params, json, content, data, headers, timeout_ms, extensions)
        retries = Retries(method, idempotent, self.retry_budget_ms)
        for _ in range(retries.attempts_max):
            answer, failure = await self._exchange(http, request)
            pause_s = retries.pause_s(answer)
            if pause_s is None:
                break
            await asyncio.sleep(pause_s)
        if answer is None:
            raise unanswered(f"{self._what(method, url)}: no answer ({failure})")
        return answer

    async def call(self, method: str, url: Url, *, kind: Any = Any, **options: Any) -> Any:
        """The JSON of a success (decoded into ``kind`` when given); any other answer is ``HttpProblem``."""
        answer = await self.send(method, url, **options)
        if not answer.is_success:
            answer.checked(self._what(method, url))
        return answer.json(kind)

    @asynccontextmanager
    async def stream(self, method: str, url: Url, *, headers: Mapping[str, str] | None = None,
                     timeout_ms: int | None = None) -> AsyncIterator[httpx.Response]:
        """A long answer, open once its status is a success (else ``HttpProblem``); read it as it comes."""
        http = self._client()
        request = self._build(http, method, url, None, None, None, None, headers, timeout_ms, None)
        what = self._what(method, url)
        try:
            response = await http.send(request, stream=True)
            try:
                if not response.is_success:
                    reader = BodyReader(response, self.answer_bytes_max)
                    async for chunk in response.aiter_bytes():
                        reader.add(chunk)
                    reader.answer(response).checked(what)
                yield response
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            raise unanswered(f"{what}: no answer ({type(exc).__name__})") from exc

    async def _exchange(self, http: httpx.AsyncClient, request: httpx.Request) -> tuple[Answer | None, str]:
        try:
            response = await http.send(request, stream=True)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        try:
            reader = BodyReader(response, self.answer_bytes_max)
            async for chunk in response.aiter_bytes():
                reader.add(chunk)
            return reader.answer(response), ""
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        finally:
            await response.aclose()
