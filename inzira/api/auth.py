"""Who is calling: ``Authorization: Bearer <api token>`` -> a member of the network and its roles.

Missing or unknown token: 401 (code 3040) with a ``WWW-Authenticate: Bearer`` challenge. A token whose
member is no longer in the network's state: 403 (code 4300). Roles are the member's current ones in the
ledger state (the genesis members, as changed by membership transactions since). Tokens are read from the
header only; event streams also take ``?ticket=`` (``inzira.api.tickets``), for browsers' ``EventSource``.
"""

from __future__ import annotations

from fastapi import Depends, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.problems import Problem
from inzira.api.tickets import TICKET_DOC, TICKET_PATTERN
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code

bearer = HTTPBearer(auto_error=False, description="The member's API token (api-keys.json in a demo data folder)")


async def require_caller(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                         ctx: ApiContext = Depends(api_context)) -> Caller:
    return token_caller(credentials.credentials if credentials is not None else None, ctx)


def token_caller(token: str | None, ctx: ApiContext) -> Caller:
    """The member whose API token this is (None: no bearer token sent), or the 401 ``require_caller`` gives."""
    if token is None:
        raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <api token>",
                      headers={"WWW-Authenticate": 'Bearer realm="inzira"'})
    member = ctx.tokens.member_for(token)
    if member is None:
        raise Problem(401, ApiCode.UNAUTHENTICATED, "the API token is not valid",
                      headers={"WWW-Authenticate": 'Bearer realm="inzira", error="invalid_token"'})
    return member_caller(member, ctx)


def member_caller(member: str, ctx: ApiContext) -> Caller:
    record = ctx.node.state.members.get(member)
    if record is None:
        raise Problem(403, Code.PERMISSION, f"{member} is not a member of this network")
    return Caller(member, frozenset(record.roles))


async def require_stream_caller(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                                ticket: str | None = Query(None, pattern=TICKET_PATTERN, description=TICKET_DOC),
                                ctx: ApiContext = Depends(api_context)) -> Caller:
    """The caller of an event stream: by the Authorization header, or else by a member's ticket."""
    if credentials is not None or ticket is None:
        return await require_caller(credentials, ctx)
    kind, _, member = (ctx.tickets.subject(ticket) or "").partition(":")
    if kind != "member":
        raise Problem(401, ApiCode.UNAUTHENTICATED, "the ticket is not valid or has expired: ask for another",
                      headers={"WWW-Authenticate": 'Bearer realm="inzira", error="invalid_token"'})
    return member_caller(member, ctx)
