"""Lean routes for the payment path: documented like any route, served without FastAPI's per-request
parameter machinery.

Each visitor payment is three requests (decode, quote, pay). Measured on the demo machine, FastAPI's
resolution of dependencies, body and path parameters costs about as much as these handlers' own work (some
150 µs of a 250 µs request), and the server's event loop is what bounds the payment rate. A ``LeanRoute``
hands the ``Request`` straight to its endpoint, which reads its parameters with the helpers below (the same
validation, the same 400 problem on failure); ``openapi_extra`` (``params`` and ``json_body``) keeps the
OpenAPI document complete. A lean route is a hot route too (``inzira.api.hot_routes``): found without the
router's walk through every route.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response

from inzira.api.hot_routes import HotRoute

M = TypeVar("M", bound=BaseModel)
_BOOL = TypeAdapter(bool)


class LeanRoute(HotRoute):  # on a payment path: a hot route too
    takes_request = True

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        return self.endpoint


def _invalid(where: str, exc: ValidationError) -> RequestValidationError:
    """The same 400 problem FastAPI's own validation would give (the app's handler formats it)."""
    return RequestValidationError([{**e, "loc": (where, *e["loc"])} for e in exc.errors()])


async def body(request: Request, model: type[M]) -> M:
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        raise _invalid("body", exc) from None


def path(request: Request, name: str, pattern: str) -> str:
    value: str = request.path_params[name]
    if re.fullmatch(pattern, value) is None:
        raise RequestValidationError([{"loc": ("path", name), "msg": f"String should match pattern '{pattern}'",
                                       "type": "string_pattern_mismatch"}])
    return value


def flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name)
    if value is None:
        return False
    try:
        return _BOOL.validate_python(value)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("query", name)} for e in exc.errors()]) from None


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


def params(*declared: tuple[str, str, dict[str, Any], str]) -> dict[str, Any]:
    """OpenAPI parameters: (name, "path" or "query", JSON schema, description)."""
    return {"parameters": [{"name": name, "in": where, "required": where == "path", "schema": schema,
                            "description": description} for name, where, schema, description in declared]}
