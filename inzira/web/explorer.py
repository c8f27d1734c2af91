"""The block explorer: server-rendered pages over a node's chain, live blocks, receipts and verification.

Mount it on an app at "/" (the API lives under /v1)::

    app.include_router(explorer_router(runtime))
    mount_static(app)

``public_accounts`` (the demo's default) shows every account and balance; a real deployment passes False
and the account pages answer 404 and are left out of the navigation.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from inzira.api.numbers import INT64_MAX, clamp_digits, parse_digits
from inzira.ledger.ids import is_account_id
from inzira.web.assets import mount_static
from inzira.web.explorer_data import (
    ACCOUNTS_MAX,
    BLOCKS_PAGE_MAX,
    Runtime,
    account_page,
    accounts_by_member,
    block_page,
    latest_blocks,
    parse_tx_id,
    site_context,
    tx_page,
)
from inzira.web.live import EVENTS_PATH, live_router
from inzira.web.receipts import VERIFY_PATH, receipts_router
from inzira.web.rendering import render

__all__ = ["explorer_router", "mount_static"]

HOME_BLOCKS = 20
SEARCH_CHARS_MAX = 128
NUMBER_CHARS_MAX = 40


def explorer_router(runtime: Runtime, public_accounts: bool = True) -> APIRouter:
    router = APIRouter()
    node = runtime.node

    def page(request: Request, template: str, status_code: int = 200, **context: object) -> Response:
        return render(request, template, site_context(node, public_accounts) | context, status_code)

    def not_found(request: Request, what: str) -> Response:
        return page(request, "not_found.html", 404, what=what)

    @router.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        rows = latest_blocks(node, None, HOME_BLOCKS)
        # The stream starts after the newest block shown, so one committed while rendering still arrives.
        after = rows[0].height if rows else 0
        return page(request, "home.html", blocks=rows, events_path=EVENTS_PATH, after=after, max_rows=HOME_BLOCKS)

    @router.get("/blocks", include_in_schema=False)
    def blocks(request: Request, before: str = Query("", max_length=NUMBER_CHARS_MAX),
               limit: str = Query("", max_length=NUMBER_CHARS_MAX)) -> Response:
        """A hand-edited address still gets a page: numbers are brought into range, anything else ignored."""
        limit_rows = clamp_digits(limit, 1, BLOCKS_PAGE_MAX) or BLOCKS_PAGE_MAX
        rows = latest_blocks(node, clamp_digits(before, 1, INT64_MAX), limit_rows)
        older = rows[-1].height if rows and rows[-1].height > 1 else None
        return page(request, "blocks.html", blocks=rows, older=older, limit=limit_rows)

    @router.get("/blocks/{height}", include_in_schema=False)
    def block(request: Request, height: str, start: str = Query("", max_length=NUMBER_CHARS_MAX)) -> Response:
        number = parse_digits(height, 1)
        first = clamp_digits(start, 0, INT64_MAX) or 0
        found = block_page(node, number, first) if number is not None else None
        if found is None:
            return not_found(request, f"block {height}")
        return page(request, "block.html", **found)

    @router.get("/tx/{tx_id}", include_in_schema=False)
    def transaction(request: Request, tx_id: str) -> Response:
        tx_bytes = parse_tx_id(tx_id.lower())
        found = tx_page(node, tx_bytes) if tx_bytes is not None else None
        if found is None:
            return not_found(request, f"transaction {tx_id}")
        return page(request, "tx.html", verify_path=VERIFY_PATH, **found)

    @router.get("/accounts", include_in_schema=False)
    def accounts(request: Request) -> Response:
        if not public_accounts:
            return not_found(request, "public account list")
        groups, cut = accounts_by_member(node)
        return page(request, "accounts.html", groups=groups, cut=cut, accounts_max=ACCOUNTS_MAX)

    @router.get("/accounts/{account_id}", include_in_schema=False)
    def account(request: Request, account_id: str) -> Response:
        found = account_page(node, account_id) if public_accounts and is_account_id(account_id) else None
        if found is None:
            return not_found(request, f"account {account_id}")
        return page(request, "account.html", **found)

    @router.get("/search", include_in_schema=False)
    def search(request: Request, q: str = "") -> Response:
        """A block height, a transaction id or an account id: go straight to its page."""
        text = q.strip()[:SEARCH_CHARS_MAX]
        if parse_digits(text, 1) is not None:
            return RedirectResponse(f"/blocks/{text}", 303)
        if parse_tx_id(text.lower()) is not None:
            return RedirectResponse(f"/tx/{text.lower()}", 303)
        if public_accounts and is_account_id(text):
            return RedirectResponse(f"/accounts/{text}", 303)
        return not_found(request, f"anything called {text!r}" if text else "an empty search")

    router.include_router(live_router(runtime))
    router.include_router(receipts_router(runtime, public_accounts))
    return router
