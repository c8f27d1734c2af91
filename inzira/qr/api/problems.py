"""Refusals as RFC 9457 problem+json, with this service's titles, through the ledger API's own handler."""

from __future__ import annotations

from typing import Any

from inzira.api.codes import ApiCode
from inzira.api.models import ProblemModel
from inzira.api.problems import Problem
from inzira.qr.codes import title
from inzira.qr.rejected import Rejected

RETRY_AFTER_S = "1"

_TEXT = {
    400: "Invalid request (3100), not a valid EMVCo QR (3150), not an Inzira QR (3151), amount required (3153), "
         "currency not offered (3157), card top-ups not offered (3158)",
    401: "Missing or invalid token (3040): a member's API token, or a merchant's (qrm_) or wallet's (qrw_) token; "
         "a card acquirer's callback without a valid signature (3105)",
    403: "Not permitted (4300)",
    404: "Not found, or not visible to the caller: merchant 3250, bill 3251, wallet 3252, quote 3253, payment 3254, "
         "top-up 3255",
    409: "Already paid (3154), payment in progress (3155), refund exceeds payment (3156), the card acquirer's "
         "payment does not match the top-up (3159), a payment from outside Inzira is not refunded here (3161)",
    410: "Expired: the quote (3302) or the dynamic QR's bill (3340)",
    413: "Request body too large (3104)",
    415: "Unsupported media type (3000)",
    422: "Refused by the ledger or before it, nothing moved: insufficient funds (4001), quote expired at the block "
         "(3302)...; with tx_id and height when the refusal is in a block (it has a receipt); a top-up past the "
         "day's amount (4240) or the wallet's balance limit (4242)",
    429: "As many top-ups as a day allows (4241, resets_at_ms, Retry-After); as many unpaid bills as a day allows "
         "(5240, resets_at_ms, Retry-After); the wallet asked for quotes, or a holder rotated its token, faster "
         "than its allowance (3041, Retry-After)",
    503: "Busy (2005, retry after Retry-After; also the FX provider's allowance of quotes for the wallet's issuer "
         "used up) or unavailable (2003: the ledger, or the card acquirer)",
    504: "No verdict in time (2004): the operation settles in the background; read it again by its id",
}


class QrProblem(Problem):
    """A ``Problem`` whose title comes from this service's codes (the app's handler serves it)."""

    def document(self, instance: str) -> dict[str, Any]:
        return {**super().document(instance), "title": title(self.code)}


def problem(refusal: Rejected) -> QrProblem:
    extra = {key: value for key, value in refusal.extra.items() if value is not None}
    wait_s = extra.get("retry_after_s")  # a limit that knows when it frees up says so
    retry = str(wait_s) if wait_s is not None else RETRY_AFTER_S if refusal.code == ApiCode.BUSY else None
    headers = None if retry is None else {"Retry-After": retry}
    return QrProblem(refusal.status, refusal.code, refusal.detail, headers=headers, **extra)


def docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ProblemModel, "description": _TEXT[status]} for status in statuses}
