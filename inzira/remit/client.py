"""A small blocking client of the remittance API, for the CLI and tests: every problem is an ``HttpProblem``.

A transfer is sent under the caller's own transfer id, and the service answers a resend of the same request
with the transfer as it stands, so sending is retried within the budget like the reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec

from inzira.decoding import decode_json
from inzira.http import HttpClient, HttpProblem

DEFAULT_TIMEOUT_S = 60.0
RETRY_BUDGET_MS = 2_000
SSE_LINE_CHARS_MAX = 1_000_000


class RemitClient:
    def __init__(self, base_url: str, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.http = HttpClient(base_url, headers={"Authorization": f"Bearer {token}"},
                               timeout_ms=int(timeout_s * 1000), retry_budget_ms=RETRY_BUDGET_MS)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "RemitClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def lookup(self, msisdn: str) -> dict[str, Any]:
        return self.http.call("GET", f"/v1/remit/parties/MSISDN/{msisdn}")

    def quote(self, msisdn: str, amount_type: str, amount_minor: int, currency: str,
              source_currency: str | None = None, *, sender_name: str | None = None,
              receiver_name: str | None = None) -> dict[str, Any]:
        body = {"receiver_msisdn": msisdn, "amount_type": amount_type, "amount_minor": amount_minor,
                "currency": currency, "source_currency": source_currency, "sender_name": sender_name,
                "receiver_name": receiver_name}
        return self.http.call("POST", "/v1/remit/quotes", json=body)

    def send(self, transfer_id: str, quote_id: str, sender_id: str, sender_name: str, receiver_name: str, *,
             wait_ms: int = 0, expires_in_ms: int | None = None) -> dict[str, Any]:
        body = {"transfer_id": transfer_id, "quote_id": quote_id, "sender": {"id": sender_id, "name": sender_name},
                "receiver": {"name": receiver_name}, "expires_in_ms": expires_in_ms}
        return self.http.call("POST", "/v1/remit/transfers", json=body, params={"wait_ms": wait_ms}, idempotent=True)

    def transfer(self, transfer_id: str, wait_ms: int = 0) -> dict[str, Any]:
        return self.http.call("GET", f"/v1/remit/transfers/{transfer_id}", params={"wait_ms": wait_ms})

    def receipt(self, transfer_id: str) -> dict[str, Any]:
        return self.http.call("GET", f"/v1/remit/transfers/{transfer_id}/receipt")

    def flagged(self, status: str | None, reason: str | None, limit: int, cursor: str | None) -> dict[str, Any]:
        """A page of the caller's flagged payouts (a receiving FSP's): ``{items, count, next_cursor}``."""
        params = {name: value for name, value in (("status", status), ("reason", reason), ("limit", limit),
                                                  ("cursor", cursor)) if value is not None}
        return self.http.call("GET", "/v1/remit/payouts/flagged", params=params)

    def events(self, transfer_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event kind, data) of a transfer's event stream, until it ends; an ``HttpProblem`` when the server
        ends it because the caller's credential no longer holds (``event: closed``)."""
        with self.http.stream("GET", f"/v1/remit/transfers/{transfer_id}/events") as response:
            kind = ""
            for line in response.iter_lines():
                if len(line) > SSE_LINE_CHARS_MAX:
                    raise HttpProblem(502, 2003, "an event line is too long")
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    try:
                        data = decode_json(line[6:])
                    except msgspec.DecodeError as exc:
                        raise HttpProblem(502, 2003, f"an event is not JSON: {exc}") from None
                    if kind == "closed":
                        raise HttpProblem(403, 4300, f"the server closed the event stream: {str(data)[:200]}")
                    yield kind, data
