"""The product's one HTTP client, in a blocking flavour (here, on httpx) and an asyncio flavour
(``inzira.http.aio``, on aiohttp) of the same contract:

- one pool of keep-alive connections per client (``connections_max``), opened on first use, TLS with one
  shared context, no proxy from the environment, no redirect;
- a timeout on every call (``timeout_ms``, or the call's own), each attempt held to a deadline as a whole
  (here by ``inzira.http.deadline``), and a limit on every answer's size;
- idempotent calls retried within a time budget (``retry_budget_ms``, see ``inzira.http.retry``);
- ``send`` hands back any answer (the caller reads its status: callbacks, webhooks); ``call`` hands back the
  JSON of a success and turns anything else into ``HttpProblem``; ``stream`` opens a long answer (events).

No answer at all is always ``HttpProblem`` (503, code 2003, ``answered`` False), never a transport's exception.
Tests pass ``transport`` (an ``httpx.MockTransport``) only where the network is not the point.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from inzira.http.answer import Answer, BodyReader
from inzira.http.base import CONNECTIONS_MAX, JSON_TYPE, MALFORMED, ClientSettings
from inzira.http.deadline import attempt_until, bounded_transport
from inzira.http.problem import HttpProblem, unanswered
from inzira.http.retry import Retries
from inzira.http.stream import BlockingStream

Url = str | httpx.URL
_DOT_SEGMENTS = frozenset({".", ".."})


def _timeout(timeout_ms: int, connect_timeout_ms: int | None) -> httpx.Timeout:
    return httpx.Timeout(timeout_ms / 1000, connect=(connect_timeout_ms or timeout_ms) / 1000)


class HttpClient(ClientSettings):
    """The blocking flavour (CLI, benchmarks' set-up, simulators' admin clients)."""

    def __init__(self, base_url: str = "", *, connections_max: int = CONNECTIONS_MAX,
                 transport: httpx.BaseTransport | None = None, **settings: Any) -> None:
        super().__init__(base_url, connections_max=connections_max, **settings)
        limits = httpx.Limits(max_connections=connections_max, max_keepalive_connections=connections_max)
        self._http = httpx.Client(
            base_url=self.base_url, timeout=_timeout(self.timeout_ms, self.connect_timeout_ms), trust_env=False,
            follow_redirects=False, headers=self.headers, transport=transport or bounded_transport(limits))

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
        request = self._build(method, self._undotted(method, url), params, json, content, data, headers, timeout_ms)
        retries = Retries(method, idempotent, self.retry_budget_ms)
        for _ in range(retries.attempts_max):
            answer, failure = self._exchange(request, self.attempt_ms(timeout_ms))
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
               timeout_ms: int | None = None) -> Iterator[BlockingStream]:
        """A long answer, open once its status is a success (else ``HttpProblem``); read it as it comes.
        Its opening (status and headers, or a refusal whole) is held to the attempt's deadline, what follows
        only to ``timeout_ms`` per wait: an event stream may last."""
        request = self._build(method, self._undotted(method, url), None, None, None, None, headers, timeout_ms)
        what = self._what(method, url)
        deadline_s = time.monotonic() + self.attempt_ms(timeout_ms) / 1000
        try:
            with attempt_until(deadline_s):
                response = self._http.send(request, stream=True)
            try:
                if not response.is_success:
                    with attempt_until(deadline_s):
                        self._read(response, what).checked(what)
                yield BlockingStream(response, what, self.answer_bytes_max)
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise unanswered(f"{what}: no answer ({type(exc).__name__})") from exc

    def _undotted(self, method: str, url: Url) -> str:
        """As ``_sendable``, and refused (400, 3101) when its path has a ``.`` or ``..`` segment: httpx resolves
        them (``/transfers/..`` goes out as ``/``), so the call would reach another resource than the one
        named. The asyncio flavour sends such a path as written."""
        text = self._sendable(method, url)
        if _DOT_SEGMENTS & set(urlsplit(text).path.split("/")):
            raise HttpProblem(400, MALFORMED, f"{method}: the path holds a '.' or '..' segment")
        return text

    def _build(self, method: str, url: Url, params: Mapping[str, Any] | None, json: Any, content: bytes | None,
               data: Mapping[str, str] | None, headers: Mapping[str, str] | None,
               timeout_ms: int | None) -> httpx.Request:
        extra = dict(headers or {})
        if json is not None:
            content = msgspec.json.encode(json)
            extra.setdefault("Content-Type", JSON_TYPE)
        timeout = self._http.timeout if timeout_ms is None else _timeout(timeout_ms, self.connect_timeout_ms)
        return self._http.build_request(method, url, params=params, content=content, data=data, headers=extra,
                                        timeout=timeout)

    def _read(self, response: httpx.Response, what: str) -> Answer:
        reader = BodyReader(what, response.headers, self.answer_bytes_max)
        for chunk in response.iter_bytes():
            reader.add(chunk)
        return reader.answer(response.status_code, response.headers)

    def _exchange(self, request: httpx.Request, attempt_ms: int) -> tuple[Answer | None, str]:
        # httpx bounds each read, never an exchange: attempt_until holds every connect, write and read of this
        # attempt (status line, headers and body alike) to attempt_ms in all, as the asyncio flavour does.
        with attempt_until(time.monotonic() + attempt_ms / 1000):
            try:
                response = self._http.send(request, stream=True)
            except httpx.HTTPError as exc:
                return None, type(exc).__name__
            try:
                return self._read(response, f"{request.method} {request.url.path}"), ""
            except httpx.HTTPError as exc:
                return None, type(exc).__name__
            finally:
                response.close()
