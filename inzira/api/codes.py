"""The API's own error codes beside the ledger's, and which HTTP status each verdict gets.

The ledger's codes (``inzira.ledger.codes.Code``) stay the authority for verdicts. The API adds the few
Mojaloop codes it needs for what is not a ledger verdict (server state, unknown URI, unknown transaction)
and a few of its own where Mojaloop has none (xx40 and above are Inzira's): missing credentials, an allowance
used up, an FX provider whose reference rates are too old to quote from.
"""

from __future__ import annotations

from enum import IntEnum

from inzira.ledger.codes import Code, describe


class ApiCode(IntEnum):
    INTERNAL = 2001  # Mojaloop: internal server error
    UNAVAILABLE = 2003  # service currently unavailable (node stopped or failed)
    TIMEOUT = 2004  # server timed out (the verdict did not come in time: poll the transaction)
    BUSY = 2005  # server busy (mempool full: retry after Retry-After)
    RATES_STALE = 2040  # the FX provider's reference rates are past their maximum age: no quote (HTTP 503)
    CLIENT = 3000  # generic client error (method not allowed, unsupported media type)
    UNKNOWN_URI = 3002
    UNAUTHENTICATED = 3040  # missing or invalid API token (HTTP 401)
    RATE_LIMITED = 3041  # the caller's allowance is used up (HTTP 429, Retry-After); the directory's look-ups too
    HOST_REFUSED = 3042  # the Host header names no host this server answers for: DNS rebinding (HTTP 400)
    TX_NOT_FOUND = 3207  # Mojaloop: transaction id not found


_TITLES: dict[int, str] = {
    ApiCode.INTERNAL: "internal server error",
    ApiCode.UNAVAILABLE: "service unavailable",
    ApiCode.TIMEOUT: "timed out waiting for the verdict",
    ApiCode.BUSY: "server busy",
    ApiCode.RATES_STALE: "FX rates out of date",
    ApiCode.CLIENT: "client error",
    ApiCode.UNKNOWN_URI: "unknown URI",
    ApiCode.UNAUTHENTICATED: "unauthenticated",
    ApiCode.RATE_LIMITED: "too many requests",
    ApiCode.HOST_REFUSED: "host not served here",
    ApiCode.TX_NOT_FOUND: "transaction not found",
}


def title_of(code: int) -> str:
    """The short, fixed title of a problem with this code (RFC 9457: the same for every occurrence)."""
    return _TITLES.get(code) or describe(code)


def verdict_status(code: int, in_block: bool) -> int:
    """HTTP status of a transaction's verdict.

    In a block (the ledger judged it; it has a receipt): 200 committed, 409 modified request, 422 any
    other rejection. Refused before ordering (never in a block): 413 too large, 400 otherwise.
    """
    if code == Code.OK:
        return 200
    if not in_block:
        return 413 if code == Code.TOO_LARGE else 400
    return 409 if code == Code.MODIFIED_REQUEST else 422
