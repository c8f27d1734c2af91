"""A small client of the ledger's HTTP API for benchmarks, the CLI and tests, on the one HTTP client.

Every problem answer is an ``HttpProblem`` carrying the stable code; a ledger rejection also says where the
transaction lies in the chain (``height``, ``index``, ``in_chain``), since a rejection is in a block too.
Submitting is idempotent (a transaction's id is the hash of its signed body, and the ledger answers a
resubmission with the original verdict), so submissions are retried within the budget like reads.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from inzira.api.settings import BATCH_TXS_MAX
from inzira.http import HttpClient

DEFAULT_TIMEOUT_S = 60.0  # above the server's 30 s wait for a verdict, so the server's 504 arrives first
RETRY_BUDGET_MS = 2_000  # a busy server (503, Retry-After) or a restart of a few hundred milliseconds
ANSWER_BYTES_MAX = 16 * 1024 * 1024  # a page of blocks, each up to 1 MiB of transactions, as JSON


def _hex(tx_id: bytes | str) -> str:
    return tx_id.hex() if isinstance(tx_id, bytes) else tx_id


class LedgerHttpClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 retry_budget_ms: int = RETRY_BUDGET_MS) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = HttpClient(base_url, headers=headers, timeout_ms=int(timeout_s * 1000),
                               retry_budget_ms=retry_budget_ms, answer_bytes_max=ANSWER_BYTES_MAX)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "LedgerHttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.http.call("GET", path, params=params)

    # --- writes ---

    def submit(self, raw: bytes) -> dict[str, Any]:
        """Submit one signed transaction; the committed verdict, or HttpProblem."""
        return self.http.call("POST", "/v1/transactions", content=raw, idempotent=True,
                              headers={"Content-Type": "application/octet-stream"})

    def submit_many(self, raws: Sequence[bytes]) -> list[dict[str, Any]]:
        """Submit in batches of up to 1,000; one entry per transaction, in order (each with its ``status``)."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(raws), BATCH_TXS_MAX):
            chunk = [base64.b64encode(raw).decode() for raw in raws[start : start + BATCH_TXS_MAX]]
            results.extend(self.http.call("POST", "/v1/transactions/batch", json={"txs": chunk},
                                          idempotent=True)["results"])
        return results

    def verify_receipt(self, receipt: dict[str, Any]) -> dict[str, Any]:
        return self.http.call("POST", "/v1/receipts/verify", json=receipt, idempotent=True)

    # --- reads ---

    def get_tx(self, tx_id: bytes | str) -> dict[str, Any]:
        return self._get(f"/v1/transactions/{_hex(tx_id)}")

    def receipt(self, tx_id: bytes | str) -> dict[str, Any]:
        return self._get(f"/v1/transactions/{_hex(tx_id)}/receipt")

    def account(self, account_id: str) -> dict[str, Any]:
        return self._get(f"/v1/accounts/{account_id}")

    def accounts(self, owner: str | None = None, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if owner:
            params["owner"] = owner
        if cursor:
            params["cursor"] = cursor
        return self._get("/v1/accounts", params=params)

    def pending(self, pending_id: bytes | str) -> dict[str, Any]:
        return self._get(f"/v1/pending/{_hex(pending_id)}")

    def blocks(self, before: int | None = None, limit: int = 20) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit}
        if before:
            params["before"] = before
        return self._get("/v1/blocks", params=params)

    def block(self, height: int) -> dict[str, Any]:
        return self._get(f"/v1/blocks/{height}")

    def genesis(self) -> dict[str, Any]:
        return self._get("/v1/genesis")

    def health(self) -> dict[str, Any]:
        return self._get("/health")
