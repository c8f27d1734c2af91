"""What the remittance routes share: problems from ``RemitError``, role checks, the officer's token."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from inzira.api.auth import token_caller
from inzira.api.codes import ApiCode
from inzira.api.numbers import parse_digits
from inzira.api.problems import Problem
from inzira.api.tokens import TokenBook
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.remit.codes import RemitError, remit_title
from inzira.remit.records import TransferRecord
from inzira.remit.service import RemitService

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
PREFIX = "/v1/remit"

officer_bearer = HTTPBearer(auto_error=False, scheme_name="OfficerToken",
                            description="A sending FSP's compliance officer token (remit-officers.json)")


class RemitProblem(Problem):
    """A problem whose title knows the remittance service's own codes too."""

    def document(self, instance: str) -> dict[str, Any]:
        doc = super().document(instance)
        doc["title"] = remit_title(self.code) or doc["title"]
        return doc


def problem(error: RemitError) -> RemitProblem:
    return RemitProblem(error.status, error.code, error.detail, **error.extra)


def answers_problems(handler: F) -> F:
    """Turn the service's expected refusals into problem+json answers."""
    @functools.wraps(handler)
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except RemitError as exc:
            raise problem(exc) from None

    # FastAPI reads the parameters' types from the signature: give it the handler's, resolved in its module.
    hints = typing.get_type_hints(handler, include_extras=True)  # keeps Annotated bounds (numbers.digits)
    signature = inspect.signature(handler)
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()],
        return_annotation=hints.get("return", signature.return_annotation))
    return wrapped  # type: ignore[return-value]


async def lean_caller(request: Request) -> Caller:
    """``require_caller`` for a lean route (``inzira.qr.api.lean``): the same checks, the same 401 and 403."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token_caller(token if scheme.lower() == "bearer" and token else None, request.app.state.api)


def lean_number(request: Request, name: str, low: int, high: int, default: int) -> int:
    """A query number for a lean route: ASCII digits in [low, high], else the same 400 FastAPI would give."""
    text = request.query_params.get(name)
    if text is None:
        return default
    value = parse_digits(text, low, high)
    if value is None:
        raise RequestValidationError([{"loc": ("query", name), "msg": f"must be a whole number in {low}..{high}",
                                       "type": "value_error", "input": text}])
    return value


def lean_json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``lean.json_body`` for a model with nested models: their schemas inlined (the OpenAPI document's
    components hold only what FastAPI itself declared)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        return [inline(item) for item in node] if isinstance(node, list) else node

    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline(schema)}}}}


def require_role(caller: Caller, role: str) -> None:
    if role not in caller.roles:
        raise Problem(403, Code.PERMISSION, f"{caller.member} is not a {role.replace('_', ' ')}")


def may_see_transfer(caller: Caller, record: TransferRecord) -> bool:
    if caller.sees_all or caller.member == record.sending_fsp:
        return True
    return caller.member == record.receiving_fsp and bool(record.reserve_tx_id)


def officer_dependency(service: RemitService) -> Callable[..., Awaitable[str]]:
    book = TokenBook({token: member for member, token in service.officer_tokens.items()})

    async def require_officer(credentials: HTTPAuthorizationCredentials | None = Depends(officer_bearer)) -> str:
        """The sending FSP whose compliance officer is calling."""
        member = book.member_for(credentials.credentials) if credentials else None
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <compliance officer token>",
                          headers={"WWW-Authenticate": 'Bearer realm="inzira-compliance"'})
        # The ledger's roles now, as for a member's token: an approval puts a held transfer on chain, which a
        # member the network no longer lets send must not do through its officer.
        if not service.node.state.holds_role(member, "sending_fsp"):
            raise Problem(403, Code.PERMISSION, f"{member} is not a sending FSP of this network")
        return member

    return require_officer
