"""The receiving FSP's flagged payouts (``GET /v1/remit/payouts/flagged``): newest first, a page at a time,
narrowed to a status and a reason prefix, with how many there are in all. Each FSP sees its own only.

``flagged_page`` is shared with the receiving FSP's page (``inzira.web.remit.flagged``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.numbers import TIME_MS_MAX, digits
from inzira.api.paging import CURSOR_PATTERN, cursor_page, decode_cursor
from inzira.api.problems import Problem
from inzira.api.responses import json_response, problem_docs
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.remit.api.deps import PREFIX, answers_problems, require_role
from inzira.remit.money_view import money
from inzira.remit.records import PayoutRecord
from inzira.remit.service import RemitService
from inzira.remit.store.flagged import FLAGGED_STATUSES, PAGE_MAX, FlaggedPayouts

REASON_CHARS_MAX = 64
REASON_PATTERN = f"^[A-Za-z0-9_.-]{{1,{REASON_CHARS_MAX}}}$"
Limit = digits(1, PAGE_MAX)


class FlaggedStatus(StrEnum):
    SUCCESSFUL = "SUCCESSFUL"  # paid into the wallet, not paid back on the ledger: recover it off-ledger
    FAILED = "FAILED"  # the operator refused: the wallet was not paid, the money went back to the sender


def _view(service: RemitService, payout: PayoutRecord) -> dict[str, Any]:
    transfer = service.transfers.by_reserve(payout.pending_id)  # None: another deployment's transfer
    return {"pending_id": payout.pending_id.hex(), "transfer_id": transfer.transfer_id if transfer else None,
            "sending_fsp": transfer.sending_fsp if transfer else None, "status": payout.status,
            "reason": payout.reason, "recover_off_ledger": payout.status == FlaggedStatus.SUCCESSFUL,
            "reference_id": payout.reference_id, "operator_txn_id": payout.operator_txn_id or None,
            "msisdn": payout.msisdn, "amount": money(payout.amount_minor, payout.currency),
            "flagged_at_ms": payout.updated_at_ms}


def _after(cursor: str | None) -> tuple[int, bytes] | None:
    if not cursor:
        return None
    at_ms, last = decode_cursor(cursor, TIME_MS_MAX)
    try:
        return at_ms, bytes.fromhex(last)
    except ValueError:
        raise Problem(400, Code.VALIDATION, "cursor is not one this API gave out") from None


def flagged_page(service: RemitService, fsp: str, status: FlaggedStatus | None, reason: str, limit: int,
                 cursor: str | None) -> dict[str, Any]:
    """``{items, count, next_cursor}``: at most ``limit`` flagged payouts of ``fsp`` after ``cursor``, how many
    match the filter in all, and the next page's cursor (None on the last); a cursor this API did not give out
    is a 400 problem (3100)."""
    statuses = (status.value,) if status else FLAGGED_STATUSES
    book = FlaggedPayouts(service.db)
    found = book.page(fsp, statuses, reason, limit + 1, _after(cursor))
    page = cursor_page(found, limit, lambda p: _view(service, p), lambda p: (p.updated_at_ms, p.pending_id.hex()))
    return {**page, "count": book.count(fsp, statuses, reason)}


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: payouts"])

    @router.get("/payouts/flagged", summary="The receiving FSP's flagged payouts, newest first",
                response_class=Response,
                responses={200: {"description": "{items: [flagged payout], count, next_cursor}: next_cursor is "
                                                "null on the last page"}, **problem_docs(400, 401, 403)})
    @answers_problems
    async def flagged(status: FlaggedStatus | None = None,
                      reason: str | None = Query(None, pattern=REASON_PATTERN,
                                                 description="Only reasons starting with this (e.g. PAID_AFTER_ABORT)"),
                      limit: Limit = 50,
                      cursor: str | None = Query(None, pattern=CURSOR_PATTERN,
                                                 description="next_cursor of the previous page"),
                      caller: Caller = Depends(require_caller)) -> Response:
        """Payouts with a reason: SUCCESSFUL ones were paid into the wallet while the transfer ended without
        the FSP's commit (`PAID_AFTER_ABORT...`: recover them off-ledger); FAILED ones the operator refused (the
        money went back to the sender). `count` is how many match the filter in all."""
        require_role(caller, "receiving_fsp")
        return json_response(flagged_page(service, caller.member, status, reason or "", limit, cursor))

    return router
