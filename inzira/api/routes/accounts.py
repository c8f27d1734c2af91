"""Accounts and balances: a member sees its own accounts; regulator, central bank and auditor see all."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.context import ApiContext, api_context
from inzira.api.models import ACCOUNT_ID_PATTERN, AccountModel, AccountPage
from inzira.api.numbers import digits
from inzira.api.paging import CURSOR_PATTERN, account_page
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.settings import ACCOUNTS_PAGE_MAX
from inzira.api.visibility import Caller, may_see_account
from inzira.ledger.codes import Code
from inzira.ledger.ids import MEMBER_ID_RE
from inzira.node.views import account_view

router = APIRouter(prefix="/v1", tags=["accounts"])

AccountsLimit = digits(1, ACCOUNTS_PAGE_MAX)


@router.get("/accounts", summary="Accounts in id order, a page at a time", response_class=Response,
            responses={**ok_doc(AccountPage, "A page of accounts"), **problem_docs(400, 401, 403)})
def list_accounts(
    owner: str | None = Query(None, pattern=f"^{MEMBER_ID_RE.pattern}$",
                              description="Only this member's accounts (members other than regulator, central "
                                          "bank and auditor may only ask for their own; it is the default)"),
    limit: AccountsLimit = 100,
    cursor: str | None = Query(None, pattern=CURSOR_PATTERN, description="next_cursor of the previous page"),
    caller: Caller = Depends(require_caller),
    ctx: ApiContext = Depends(api_context),
) -> Response:
    if not caller.sees_all:
        if owner not in (None, caller.member):
            raise Problem(403, Code.PERMISSION, f"{caller.member} may list only its own accounts")
        owner = caller.member
    page, next_cursor = account_page(ctx.node, owner, limit, cursor)
    return json_response({"accounts": [account_view(a) for a in page], "next_cursor": next_cursor})


@router.get("/accounts/{account_id}", summary="One account's balances", response_class=Response,
            responses={**ok_doc(AccountModel, "The account"), **problem_docs(400, 401, 404)})
def get_account(account_id: str = Path(pattern=ACCOUNT_ID_PATTERN,
                                       description='"<owner>:<name>", e.g. "mobimo:float-rwf"'),
                caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    account = ctx.node.account(account_id) if may_see_account(caller, account_id) else None
    if account is None:
        raise Problem(404, Code.ACCOUNT_NOT_FOUND, f"no account {account_id} visible to {caller.member}")
    return json_response(account_view(account))
