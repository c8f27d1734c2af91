"""The one exception of an outbound call: the other side refused (its problem+json, RFC 9457), answered
something unusable, or did not answer at all.

It carries the HTTP status and a 4-digit code (Mojaloop's, or Inzira's in its ranges), so a caller switches
on the code whatever service it called. A body that names no valid code gets one from its status: 3000 for a
4xx (generic client error), 2003 for anything else (the service is unavailable to us). No answer at all is
status 503, code 2003, ``answered`` False.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from inzira.decoding import decode_json

UNAVAILABLE = 2003  # Mojaloop: service currently unavailable
CLIENT_ERROR = 3000  # Mojaloop: generic client error
DETAIL_CHARS_MAX = 1_000
RETRY_AFTER_DIGITS_MAX = 9
_STANDARD_MEMBERS = frozenset({"type", "title", "status", "detail", "code", "instance"})


class HttpProblem(Exception):
    def __init__(self, status: int, code: int, detail: str, *, title: str = "", body: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None, answered: bool = True) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.body: dict[str, Any] = dict(body or {})
        self.headers = dict(headers or {})  # only what a caller may pass on: a checked Retry-After
        self.answered = answered

    @property
    def extra(self) -> dict[str, Any]:
        """The members a problem adds beside RFC 9457's own (tx_id, refundable_minor, transfer...)."""
        return {k: v for k, v in self.body.items() if k not in _STANDARD_MEMBERS}

    @property
    def tx_id(self) -> str | None:
        return self.body.get("tx_id")

    @property
    def height(self) -> int | None:
        return self.body.get("height")

    @property
    def index(self) -> int | None:
        return self.body.get("index")

    @property
    def in_chain(self) -> bool:
        """True for a ledger verdict: the transaction is in a block (durably) with this rejection."""
        return bool(self.height)

    def relayed(self, who: str) -> HttpProblem:
        """This problem as a service passes it on to its own caller: the other side's 4xx as it is, its
        failures as 502 (it answered wrongly) or 503 (it did not answer), the detail naming ``who``."""
        status = self.status if 400 <= self.status < 500 else 503 if not self.answered else 502
        return HttpProblem(status, self.code, f"{who}: {self.detail}", title=self.title, body=self.body,
                           headers=self.headers, answered=self.answered)


def unanswered(detail: str) -> HttpProblem:
    return HttpProblem(503, UNAVAILABLE, detail[:DETAIL_CHARS_MAX], answered=False)


def unusable(status: int, detail: str) -> HttpProblem:
    """An answer that came but cannot be used (too large, not the JSON promised)."""
    return HttpProblem(status if status >= 400 else 502, UNAVAILABLE, detail[:DETAIL_CHARS_MAX])


def problem_of(status: int, content: bytes, headers: Mapping[str, str], fallback_detail: str) -> HttpProblem:
    """The problem an error answer states; whatever its body holds, the fields are checked before use."""
    try:
        body = decode_json(content) if content else None
    except msgspec.DecodeError:  # also nested too deep, or a string not UTF-8 (decode_json)
        body = None
    text = content[:DETAIL_CHARS_MAX].decode("utf-8", "replace").strip() or fallback_detail
    if not isinstance(body, dict):
        return HttpProblem(status, _code_for(status, None), text)
    detail = body.get("detail") or body.get("message") or body.get("title") or text
    title = body.get("title")
    retry_after = headers.get("retry-after", "")
    valid_retry = retry_after.isascii() and retry_after.isdigit() and len(retry_after) <= RETRY_AFTER_DIGITS_MAX
    return HttpProblem(status, _code_for(status, body.get("code")),
                       detail[:DETAIL_CHARS_MAX] if isinstance(detail, str) else text,
                       title=title[:DETAIL_CHARS_MAX] if isinstance(title, str) else "", body=body,
                       headers={"Retry-After": retry_after} if valid_retry else None)


def _code_for(status: int, code: Any) -> int:
    if type(code) is int and 1000 <= code <= 9999:
        return code
    return CLIENT_ERROR if 400 <= status < 500 else UNAVAILABLE
