"""A funding desk's refusal: an HTTP status and a stable ledger code, raised wherever a check fails.

Its own module so that the desk's checks kept in other modules (``redemptions``) raise the same refusal the
API turns into a problem answer.
"""

from __future__ import annotations


class FundingError(Exception):
    def __init__(self, status: int, code: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = int(code)
        self.detail = detail
