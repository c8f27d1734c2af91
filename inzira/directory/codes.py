"""The directory operator's refusals: an HTTP status, a stable 4-digit code and a sentence for people.

Ledger and API codes are used where one fits (3204 party not found, 3105 invalid signature, 4300 not
permitted); the operator adds its own in Inzira's ranges (xx40 and above; 3170s and 3260 for its disputes,
3150-3169 being the QR service's). A number means one thing in the whole scheme (tests/test_codes.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum

from inzira.api.codes import title_of


class DirectoryCode(IntEnum):
    RATE_LIMITED = 3041  # the member's look-up or registration allowance is used up: retry after Retry-After
    REQUEST_EXPIRED = 3341  # a signed request's time is too far from the operator's clock
    DISPUTE_NOT_FOUND = 3260
    DISPUTE_CLOSED = 3170  # the regulator already decided this dispute
    DISPUTES_FULL = 3171  # the FSP has too many open disputes
    DISPUTE_OUTDATED = 3172  # the number is listed for an FSP the dispute does not name: it cannot be moved
    WALLET_INACTIVE = 5400  # the FSP's account-holder API says the wallet cannot receive money
    ACCOUNT_HOLDER_UNAVAILABLE = 5140  # the FSP's account-holder API could not be reached


_TITLES = {
    DirectoryCode.RATE_LIMITED: "too many requests",  # as ApiCode's 3041: one number, one title
    DirectoryCode.REQUEST_EXPIRED: "signed request expired",
    DirectoryCode.DISPUTE_NOT_FOUND: "dispute not found",
    DirectoryCode.DISPUTE_CLOSED: "dispute already decided",
    DirectoryCode.DISPUTES_FULL: "too many open disputes",
    DirectoryCode.DISPUTE_OUTDATED: "dispute outdated",
    DirectoryCode.WALLET_INACTIVE: "wallet inactive",
    DirectoryCode.ACCOUNT_HOLDER_UNAVAILABLE: "account-holder API unavailable",
}


def directory_title(code: int) -> str:
    try:
        return _TITLES[DirectoryCode(code)]
    except ValueError:
        return title_of(code)


class DirectoryError(Exception):
    """An expected refusal; the API answers it as problem+json."""

    def __init__(self, status: int, code: int, detail: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = int(code)
        self.detail = detail
        self.headers = dict(headers or {})
