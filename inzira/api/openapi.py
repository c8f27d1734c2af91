"""The OpenAPI document as the API really answers: errors as application/problem+json with the Problem
schema, and request validation errors as 400 problems (FastAPI would advertise its own 422 shape)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from inzira.api.problems import PROBLEM_MEDIA_TYPE

_FASTAPI_VALIDATION = "#/components/schemas/HTTPValidationError"
_PROBLEM_REF = "#/components/schemas/ProblemModel"


def _fix_operation(operation: dict[str, Any]) -> None:
    responses = operation.get("responses", {})
    default_422 = responses.get("422", {}).get("content", {}).get("application/json", {}).get("schema", {})
    if default_422.get("$ref") == _FASTAPI_VALIDATION:
        del responses["422"]
        responses.setdefault("400", {"description": "Invalid request (3100)",
                                     "content": {"application/json": {"schema": {"$ref": _PROBLEM_REF}}}})
    for status, response in responses.items():
        content = response.get("content", {})
        if status.isdigit() and int(status) >= 400 and "application/json" in content:
            content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


def install_openapi(app: FastAPI, description: str) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=description, routes=app.routes)
            for path_item in schema.get("paths", {}).values():
                for operation in path_item.values():
                    _fix_operation(operation)
            schemas = schema.get("components", {}).get("schemas", {})
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
