"""What the remittance routes share: problems from ``RemitError``, role checks, the officer's token."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from inzira.api.codes import ApiCode
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
        return member

    return require_officer
