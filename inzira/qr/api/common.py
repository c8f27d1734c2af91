"""What the QR routers share: refusals raised as problems, JSON answers, path parameters."""

from __future__ import annotations

from typing import Any, TypeVar

from fastapi import Path
from starlette.responses import Response

from inzira.api.responses import json_response
from inzira.qr.api.problems import problem
from inzira.qr.rejected import Rejected

T = TypeVar("T")
ID_PATTERN = "^[a-z0-9_]{1,64}$"

MerchantId = Path(pattern=ID_PATTERN, description="The merchant's id (10 hex digits)")
WalletId = Path(pattern=ID_PATTERN, description="The wallet's id (12 hex digits)")
BillId = Path(pattern=ID_PATTERN, description="bill_<17 hex digits>")
PaymentId = Path(pattern=ID_PATTERN, description="pay_<17 hex digits>")


def unwrap(result: T | Rejected) -> T:
    """The service's answer, or its refusal raised as problem+json."""
    if isinstance(result, Rejected):
        raise problem(result)
    return result


def ok(content: Any) -> Response:
    return json_response(content)


def created(content: Any) -> Response:
    return json_response(content, 201)

