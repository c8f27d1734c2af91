"""JSON answers encoded with msgspec, and how routes declare their problem answers for OpenAPI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from starlette.responses import Response

from inzira.api.models import ProblemModel

NO_STORE = {"Cache-Control": "no-store"}  # answers showing customers' money or a secret are kept by no cache

_PROBLEM_TEXT = {
    400: "Invalid request (3100), malformed transaction (3101) or unsigned (3105)",
    401: "Missing or invalid API token (3040)",
    403: "Not permitted (4300)",
    404: "Not found, or not visible to the caller (32xx)",
    409: "Modified request: the reference was reused with another body (3106); the rejection is in a block",
    413: "Request or transaction too large (3104)",
    415: "Unsupported media type (3000)",
    422: "Rejected by the ledger with the code of the rule it broke; the rejection is in a block",
    429: "Too many requests: the caller's allowance is used up (with Retry-After)",
    503: "Ledger busy (2005, with Retry-After) or stopped (2003)",
    504: "No verdict in time (2004): poll the Location",
}


def json_response(content: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(msgspec.json.encode(content), status, dict(headers or {}), "application/json")


def problem_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these problem statuses (the OpenAPI hook files them as problem+json)."""
    return {status: {"model": ProblemModel, "description": _PROBLEM_TEXT[status]} for status in statuses}


def ok_doc(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": description}}
