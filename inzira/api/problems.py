"""RFC 9457 problem+json: the one shape of every error the API returns, with the stable 4-digit code.

Handlers replace FastAPI's defaults (validation errors, HTTPException, anything unexpected) so no error
ever leaves as plain ``{"detail": ...}``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from inzira.api.codes import ApiCode, title_of
from inzira.ledger.codes import Code

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:inzira:problem:"  # + code; a stable identifier, not a page to fetch
VALIDATION_ERRORS_MAX = 20  # listed in one problem; the rest are counted

log = logging.getLogger(__name__)

_STATUS_CODES: dict[int, int] = {
    400: Code.VALIDATION,
    401: ApiCode.UNAUTHENTICATED,
    403: Code.PERMISSION,
    404: ApiCode.UNKNOWN_URI,
    413: Code.TOO_LARGE,
    503: ApiCode.UNAVAILABLE,
    504: ApiCode.TIMEOUT,
}


class Problem(Exception):
    """Raise to answer with a problem; ``extra`` members (tx_id, height...) are added to the document."""

    def __init__(self, status: int, code: int, detail: str, *, headers: Mapping[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = int(code)
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = extra

    def document(self, instance: str) -> dict[str, Any]:
        return {
            "type": f"{PROBLEM_TYPE_PREFIX}{self.code}",
            "title": title_of(self.code),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "instance": instance,
            **self.extra,
        }


def problem_bytes(problem: Problem, instance: str) -> bytes:
    return msgspec.json.encode(problem.document(instance))


def problem_response(problem: Problem, instance: str) -> Response:
    return Response(problem_bytes(problem, instance), problem.status, problem.headers, PROBLEM_MEDIA_TYPE)


def _code_for_status(status: int) -> int:
    return _STATUS_CODES.get(status, ApiCode.INTERNAL if status >= 500 else ApiCode.CLIENT)


# A request sent without its body (curl -X POST with no -d) got "body: Field required": say what to send.
_NO_BODY_MESSAGE = ("send a JSON object as the request body (content-type: application/json), {} if every field "
                    "is optional")


def _message(err: dict[str, Any]) -> str:
    if err.get("type") == "missing" and tuple(err.get("loc", ())) == ("body",):
        return _NO_BODY_MESSAGE
    return str(err.get("msg", ""))


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    # Only where and what: echoing the input back could be large or sensitive.
    return [
        {"location": ".".join(str(part) for part in err.get("loc", ())), "message": _message(err)}
        for err in exc.errors()[:VALIDATION_ERRORS_MAX]
    ]


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> Response:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors[:3])
        problem = Problem(400, Code.VALIDATION, f"invalid request: {detail}", errors=errors,
                          errors_total=len(exc.errors()))
        return problem_response(problem, request.url.path)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> Response:
        detail = str(exc.detail)
        if exc.status_code in (404, 405):  # Starlette's routing misses: say which route was asked for
            detail = f"no route for {request.method} {request.url.path}"
        problem = Problem(exc.status_code, _code_for_status(exc.status_code), detail, headers=exc.headers)
        return problem_response(problem, request.url.path)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        problem = Problem(500, ApiCode.INTERNAL, "internal server error")
        return problem_response(problem, request.url.path)
