"""Small checks shared by the API tests."""

from __future__ import annotations

from typing import Any

import httpx

from inzira.api.models import ProblemModel

PROBLEM_TYPE = "application/problem+json"


def problem(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with this status and code; return its document."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_TYPE
    body = response.json()
    ProblemModel.model_validate(body)
    assert body["status"] == status and body["code"] == code, body
    assert body["type"].endswith(str(code)) and body["title"] and body["detail"] and body["instance"]
    return body


def post_tx(http: httpx.Client, raw: bytes) -> httpx.Response:
    return http.post("/v1/transactions", content=raw, headers={"Content-Type": "application/octet-stream"})
