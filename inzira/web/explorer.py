"""The block explorer: server-rendered pages over a node's chain, live blocks, receipts and verification.

Mount it on an app at "/" (the API lives under /v1)::

    app.include_router(explorer_router(runtime))
    mount_static(app)

``public_accounts`` (the demo's default) shows every account and balance to anyone; False makes the account
pages answer 404 and leaves them out of the navigation. A member's own deployment passes ``access``
(``inzira.web.explorer_access.MemberAccess``): then every page needs the member signed in and shows exactly
what the HTTP API shows that member, accounts included (``public_accounts`` is then not used).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from inzira.api.numbers import INT64_MAX, clamp_digits, parse_digits
from inzira.ledger.ids import is_account_id
from inzira.web.assets import mount_static
from inzira.web.explorer_access import Gate, MemberAccess, public
from inzira.web.explorer_data import (
    ACCOUNTS_MAX,
    BLOCKS_PAGE_MAX,
    Runtime,
    Viewer,
    account_page,
    accounts_by_member,
    block_page,
    latest_blocks,
    parse_tx_id,
    site_context,
    tx_page,
)
from inzira.web.forms import NO_STORE
from inzira.web.head import answer_head
from inzira.web.live import EVENTS_PATH, live_router
from inzira.web.receipts import VERIFY_PATH, receipts_router
from inzira.web.rendering import render

__all__ = ["explorer_router", "mount_static"]

HOME_BLOCKS = 20
SEARCH_CHARS_MAX = 128
NUMBER_CHARS_MAX = 40


def explorer_router(runtime: Runtime, public_accounts: bool = True, access: MemberAccess | None = None) -> APIRouter:
    router = APIRouter()
    node = runtime.node
    gate: Gate = access.page if access is not None else public
    accounts_shown = public_accounts or access is not None
    public_accounts = public_accounts and access is None  # a member's explorer is never the demo's

    def page(request: Request, viewer: Viewer | None, template: str, status_code: int = 200,
             **context: object) -> Response:
        response = render(request, template, site_context(node, public_accounts, viewer) | context, status_code)
        if viewer is not None:  # a member's own money: never cached
            response.headers.update(NO_STORE)
        return response

    def not_found(request: Request, viewer: Viewer | None, what: str) -> Response:
        """The same page for what does not exist and for what the viewer may not see."""
        return page(request, viewer, "not_found.html", 404, what=what)

    @router.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        rows = latest_blocks(node, None, HOME_BLOCKS)
        # The stream starts after the newest block shown, so one committed while rendering still arrives.
        after = rows[0].height if rows else 0
        return page(request, viewer, "home.html", blocks=rows, events_path=EVENTS_PATH, after=after,
                    max_rows=HOME_BLOCKS)

    @router.get("/blocks", include_in_schema=False)
    def blocks(request: Request, before: str = Query("", max_length=NUMBER_CHARS_MAX),
               limit: str = Query("", max_length=NUMBER_CHARS_MAX)) -> Response:
        """A hand-edited address still gets a page: numbers are brought into range, anything else ignored."""
        if isinstance(viewer := gate(request), Response):
            return viewer
        limit_rows = clamp_digits(limit, 1, BLOCKS_PAGE_MAX) or BLOCKS_PAGE_MAX
        rows = latest_blocks(node, clamp_digits(before, 1, INT64_MAX), limit_rows)
        older = rows[-1].height if rows and rows[-1].height > 1 else None
        return page(request, viewer, "blocks.html", blocks=rows, older=older, limit=limit_rows)

    @router.get("/blocks/{height}", include_in_schema=False)
    def block(request: Request, height: str, start: str = Query("", max_length=NUMBER_CHARS_MAX)) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        number = parse_digits(height, 1)
        first = clamp_digits(start, 0, INT64_MAX) or 0
        found = block_page(node, number, first, viewer) if number is not None else None
        if found is None:
            return not_found(request, viewer, f"block {height}")
        return page(request, viewer, "block.html", **found)

    @router.get("/tx/{tx_id}", include_in_schema=False)
    def transaction(request: Request, tx_id: str) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        tx_bytes = parse_tx_id(tx_id.lower())
        found = tx_page(node, tx_bytes, viewer) if tx_bytes is not None else None
        if found is None:
            return not_found(request, viewer, f"transaction {tx_id}")
        return page(request, viewer, "tx.html", verify_path=VERIFY_PATH, **found)

    @router.get("/accounts", include_in_schema=False)
    def accounts(request: Request) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        if not accounts_shown:
            return not_found(request, viewer, "public account list")
        groups, cut = accounts_by_member(node, viewer)
        return page(request, viewer, "accounts.html", groups=groups, cut=cut, accounts_max=ACCOUNTS_MAX)

    @router.get("/accounts/{account_id}", include_in_schema=False)
    def account(request: Request, account_id: str) -> Response:
        if isinstance(viewer := gate(request), Response):
            return viewer
        found = account_page(node, account_id, viewer) if accounts_shown and is_account_id(account_id) else None
        if found is None:
            return not_found(request, viewer, f"account {account_id}")
        return page(request, viewer, "account.html", **found)

    @router.get("/search", include_in_schema=False)
    def search(request: Request, q: str = "") -> Response:
        """A block height, a transaction id or an account id: go straight to its page."""
        if isinstance(viewer := gate(request), Response):
            return viewer
        text = q.strip()[:SEARCH_CHARS_MAX]
        if parse_digits(text, 1) is not None:
            return RedirectResponse(f"/blocks/{text}", 303)
        if parse_tx_id(text.lower()) is not None:
            return RedirectResponse(f"/tx/{text.lower()}", 303)
        if accounts_shown and is_account_id(text):
            return RedirectResponse(f"/accounts/{text}", 303)
        return not_found(request, viewer, f"anything called {text!r}" if text else "an empty search")

    # Each router before it is included (FastAPI keeps an included router's routes as they were then).
    router.include_router(live_router(runtime, access))
    router.include_router(answer_head(receipts_router(runtime, public_accounts, access)))
    if access is not None:
        router.include_router(answer_head(access.router()))
    return answer_head(router, streams=[EVENTS_PATH])
