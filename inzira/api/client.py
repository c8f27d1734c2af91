"""A small client of the ledger's HTTP API for benchmarks, the CLI and tests.

Every problem answer becomes an ``ApiProblem`` carrying the stable code; a ledger rejection also says where
the transaction lies in the chain (``height``, ``index``), since a rejection is in a block too.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import httpx

from inzira.api.settings import BATCH_TXS_MAX

DEFAULT_TIMEOUT_S = 60.0  # above the server's 30 s wait for a verdict, so the server's 504 arrives first


class ApiProblem(Exception):
    def __init__(self, status: int, code: int, title: str, detail: str, body: dict[str, Any]) -> None:
        super().__init__(f"{status} {code} {title}: {detail}")
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.body = body

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


def _hex(tx_id: bytes | str) -> str:
    return tx_id.hex() if isinstance(tx_id, bytes) else tx_id


class LedgerHttpClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout_s, transport=transport)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "LedgerHttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response) -> Any:
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            if not isinstance(body, dict):
                body = {}
            raise ApiProblem(response.status_code, int(body.get("code", 0)), str(body.get("title", "")),
                             str(body.get("detail", response.text[:200])), body)
        return response.json()

    # --- writes ---

    def submit(self, raw: bytes) -> dict[str, Any]:
        """Submit one signed transaction; the committed verdict, or ApiProblem."""
        return self._json(self.http.post("/v1/transactions", content=raw,
                                         headers={"Content-Type": "application/octet-stream"}))

    def submit_many(self, raws: Sequence[bytes]) -> list[dict[str, Any]]:
        """Submit in batches of up to 1,000; one entry per transaction, in order (each with its ``status``)."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(raws), BATCH_TXS_MAX):
            chunk = [base64.b64encode(raw).decode() for raw in raws[start : start + BATCH_TXS_MAX]]
            results.extend(self._json(self.http.post("/v1/transactions/batch", json={"txs": chunk}))["results"])
        return results

    def verify_receipt(self, receipt: dict[str, Any]) -> dict[str, Any]:
        return self._json(self.http.post("/v1/receipts/verify", json=receipt))

    # --- reads ---

    def get_tx(self, tx_id: bytes | str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/transactions/{_hex(tx_id)}"))

    def receipt(self, tx_id: bytes | str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/transactions/{_hex(tx_id)}/receipt"))

    def account(self, account_id: str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/accounts/{account_id}"))

    def accounts(self, owner: str | None = None, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if owner:
            params["owner"] = owner
        if cursor:
            params["cursor"] = cursor
        return self._json(self.http.get("/v1/accounts", params=params))

    def pending(self, pending_id: bytes | str) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/pending/{_hex(pending_id)}"))

    def blocks(self, before: int | None = None, limit: int = 20) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if before:
            params["before"] = before
        return self._json(self.http.get("/v1/blocks", params=params))

    def block(self, height: int) -> dict[str, Any]:
        return self._json(self.http.get(f"/v1/blocks/{height}"))

    def genesis(self) -> dict[str, Any]:
        return self._json(self.http.get("/v1/genesis"))

    def health(self) -> dict[str, Any]:
        return self._json(self.http.get("/health"))
