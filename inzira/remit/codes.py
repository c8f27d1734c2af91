"""The remittance service's result codes beside the ledger's: Mojaloop's where one fits, else scheme-specific.

Every expected refusal is a ``RemitError`` carrying one of these codes and the HTTP status it maps to; the
API turns it into problem+json, the CLI into a message. Ledger verdicts (4001, 3302 from a block...) keep
the ledger's code.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from inzira.directory.codes import DirectoryCode, directory_title
from inzira.ledger.codes import Code


class RemitCode(IntEnum):
    QUOTE_NOT_FOUND = 3205  # Mojaloop: quote ID not found
    COMPLIANCE_REJECTED = 4140  # scheme-specific payer rejection: compliance refused it (the sending FSP's, or the
    # receiving FSP's screening of the originator's name)
    PAYEE_REJECTED = 5105  # Mojaloop: payee FSP rejected the transaction (payout failed)
    PAYEE_BLOCKED = 5400  # Mojaloop: generic payee blocked error (the wallet is not active)
    PAYEE_UNAVAILABLE = 5140  # scheme-specific: the receiving FSP's operator could not be reached


_TITLES = {
    RemitCode.QUOTE_NOT_FOUND: "quote not found",
    RemitCode.COMPLIANCE_REJECTED: "rejected by compliance",
    RemitCode.PAYEE_REJECTED: "payee FSP rejected the transaction",
    RemitCode.PAYEE_BLOCKED: "payee blocked",
    RemitCode.PAYEE_UNAVAILABLE: "receiving FSP unavailable",
}


def remit_title(code: int) -> str | None:
    try:
        return _TITLES[RemitCode(code)]
    except ValueError:
        pass
    try:  # the directory operator's refusals, passed on (a look-up over the allowance)
        return directory_title(DirectoryCode(code))
    except ValueError:
        return None


class RemitError(Exception):
    """An expected refusal: HTTP status, stable 4-digit code, a sentence for people, extra fields."""

    def __init__(self, status: int, code: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = int(code)
        self.detail = detail
        self.extra = extra


def invalid(detail: str, **extra: Any) -> RemitError:
    return RemitError(400, Code.VALIDATION, detail, **extra)


def forbidden(detail: str) -> RemitError:
    return RemitError(403, Code.PERMISSION, detail)
