"""What both flavours of the one HTTP client share: their settings, the TLS context, and how a call is named
in a problem's detail."""

from __future__ import annotations

import functools
import re
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

from inzira.http.problem import HttpProblem

TIMEOUT_MS = 10_000
CONNECTIONS_MAX = 100  # per client (per event loop for the asyncio flavour)
ANSWER_BYTES_MAX = 1024 * 1024
JSON_TYPE = "application/json"
MALFORMED = 3101  # Mojaloop: malformed syntax
# An attempt ends within this many timeouts in all: a peer trickling its answer a byte at a time, each within
# the timeout, cannot hold a call (and the task or thread behind it) without end.
ATTEMPT_TIMEOUTS_MAX = 3
# A URL cannot carry these: one flavour's parser refuses them, the other's silently drops tabs and line ends,
# which would turn a crafted identifier into another one.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@functools.cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # loads the CA bundle: ~0.1 s, so once per process


class ClientSettings:
    def __init__(self, base_url: str = "", *, timeout_ms: int = TIMEOUT_MS, connect_timeout_ms: int | None = None,
                 retry_budget_ms: int = 0, connections_max: int = CONNECTIONS_MAX,
                 answer_bytes_max: int = ANSWER_BYTES_MAX, headers: Mapping[str, str] | None = None,
                 attempt_ms_max: int | None = None) -> None:
        """``attempt_ms_max``: how long one attempt may take in all, for calls at the client's own timeout
        (default ``ATTEMPT_TIMEOUTS_MAX`` timeouts; more for a large download). Never less than ``timeout_ms``:
        the wait for a free pooled connection, bounded by ``timeout_ms``, must fit in an attempt."""
        if attempt_ms_max is not None and attempt_ms_max < timeout_ms:
            raise ValueError(f"attempt_ms_max ({attempt_ms_max}) is shorter than timeout_ms ({timeout_ms})")
        self.base_url = base_url.rstrip("/")
        self.attempt_ms_max = attempt_ms_max
        self.timeout_ms = timeout_ms
        self.connect_timeout_ms = connect_timeout_ms
        self.retry_budget_ms = retry_budget_ms
        self.connections_max = connections_max
        self.answer_bytes_max = answer_bytes_max
        self.headers = dict(headers or {})

    @staticmethod
    def _sendable(method: str, url: object) -> str:
        """``url`` as text, if a request can carry it as it is; else ``HttpProblem`` (400, 3101)."""
        text = str(url)
        if _CONTROL.search(text):
            raise HttpProblem(400, MALFORMED, f"{method}: the URL holds control characters")
        try:
            urlsplit(text)  # e.g. an unclosed "[" of an IPv6 host: a ValueError out of either flavour otherwise
        except ValueError:
            raise HttpProblem(400, MALFORMED, f"{method}: the URL does not parse") from None
        return text

    def attempt_ms(self, timeout_ms: int | None) -> int:
        """How long one attempt may take in all, sending and reading the whole answer."""
        if timeout_ms is None:
            return self.attempt_ms_max or self.timeout_ms * ATTEMPT_TIMEOUTS_MAX
        return timeout_ms * ATTEMPT_TIMEOUTS_MAX

    @staticmethod
    def _what(method: str, url: object) -> str:
        """The call, for a problem's detail: method and path only (a detail may travel to another caller, who
        has no business knowing the addresses behind this service)."""
        return f"{method} {urlsplit(str(url)).path}"
