"""Checks shared by the remittance flow tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from inzira.ledger.receipt import verify_receipt
from inzira.http import HttpProblem
from inzira.remit.client import RemitClient

PROBLEM_TYPE = "application/problem+json"
WAIT_MS = 15_000
SENDER = {"id": "cust-1", "name": "Marie Dupont"}


def problem(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_TYPE
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"].endswith(str(code)) and body["title"] and body["detail"]
    return body


def send_body(quote_id: str, receiver_name: str = "Jeanne Uwase", transfer_id: str | None = None,
              sender: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"transfer_id": transfer_id or str(uuid.uuid4()), "quote_id": quote_id,
            "sender": sender or {"id": f"cust-{uuid.uuid4().hex[:8]}", "name": SENDER["name"]},
            "receiver": {"name": receiver_name}, **extra}


def remit(client: RemitClient, msisdn: str, amount_minor: int = 20_000, currency: str = "EUR",
          receiver_name: str = "Jeanne Uwase", wait_ms: int = WAIT_MS, **extra: Any) -> dict[str, Any]:
    """Quote then send (SEND amount), with the names at both; the transfer view, or the problem body of a failed
    transfer."""
    quote = client.quote(msisdn, "SEND", amount_minor, currency, sender_name="Marie Dupont",
                         receiver_name=receiver_name)
    try:
        return client.send(str(uuid.uuid4()), quote["quote_id"], f"cust-{uuid.uuid4().hex[:8]}", "Marie Dupont",
                           receiver_name, wait_ms=wait_ms, **extra)
    except HttpProblem as exc:
        return exc.body


def verify_all(receipt: dict[str, Any], genesis: Any) -> list[dict[str, Any]]:
    """Every ledger receipt inside a remittance receipt verifies offline; their summaries."""
    assert receipt["format"] == "inzira-remittance-receipt/1"
    return [verify_receipt(entry["receipt"], genesis) for entry in receipt["ledger_receipts"]]


def walk_pages(http: httpx.Client, route: str, limit: int, key: str, pages_max: int,
               **params: object) -> tuple[list[str], dict[str, Any]]:
    """Every page of a cursor listing with ``limit``, following `next_cursor`: each item's ``key`` in the order
    given, and the last page's body."""
    seen: list[str] = []
    cursor = None
    for _ in range(pages_max):
        response = http.get(route, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        seen += [item[key] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen, body
    raise AssertionError("the pages did not end")
