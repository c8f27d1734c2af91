"""A small blocking client of the remittance API, for the CLI and tests: every problem is a ``RemitApiError``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

DEFAULT_TIMEOUT_S = 60.0
SSE_LINE_CHARS_MAX = 1_000_000


class RemitApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.code = int(body.get("code", 0) or 0)
        self.detail = str(body.get("detail", ""))
        self.body = body
        super().__init__(f"{status} {self.code}: {self.detail}")


class RemitClient:
    def __init__(self, base_url: str, token: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout_s)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "RemitClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"detail": response.text[:300]}
            raise RemitApiError(response.status_code, body if isinstance(body, dict) else {})
        return response.json() if response.content else None

    def lookup(self, msisdn: str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/remit/parties/MSISDN/{msisdn}"))

    def quote(self, msisdn: str, amount_type: str, amount_minor: int, currency: str,
              source_currency: str | None = None) -> dict[str, Any]:
        body = {"receiver_msisdn": msisdn, "amount_type": amount_type, "amount_minor": amount_minor,
                "currency": currency, "source_currency": source_currency}
        return self._json(self.http.post("/v1/remit/quotes", json=body))

    def send(self, transfer_id: str, quote_id: str, sender_id: str, sender_name: str, receiver_name: str, *,
             wait_ms: int = 0, expires_in_ms: int | None = None) -> dict[str, Any]:
        body = {"transfer_id": transfer_id, "quote_id": quote_id, "sender": {"id": sender_id, "name": sender_name},
                "receiver": {"name": receiver_name}, "expires_in_ms": expires_in_ms}
        return self._json(self.http.post("/v1/remit/transfers", json=body, params={"wait_ms": wait_ms}))

    def transfer(self, transfer_id: str, wait_ms: int = 0) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/remit/transfers/{transfer_id}", params={"wait_ms": wait_ms}))

    def receipt(self, transfer_id: str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/remit/transfers/{transfer_id}/receipt"))

    def events(self, transfer_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(event kind, data) of a transfer's event stream, until it ends."""
        with self.http.stream("GET", f"/v1/remit/transfers/{transfer_id}/events") as response:
            if response.status_code >= 400:
                response.read()
                self._json(response)
            kind = ""
            for line in response.iter_lines():
                if len(line) > SSE_LINE_CHARS_MAX:
                    raise RemitApiError(502, {"detail": "an event line is too long"})
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    yield kind, json.loads(line[6:])
