"""The wallet issuer's client of its card acquirer: open a payment session, ask for its status, refund.

Nothing the acquirer answers is trusted beyond its shape: answers are decoded into bounded fields, and the
caller compares them with its own record before it acts on them. Every failure (no answer, a refusal, an
answer of another shape) is an ``HttpProblem``. Opening a session is idempotent (one session per reference),
so it is retried within the budget like the reads; a refund is not.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

from inzira.api.numbers import INT64_MAX
from inzira.http import AsyncHttpClient
from inzira.qr.settings import CardAcquirerLink

TEXT_CHARS_MAX = 128
RETRY_BUDGET_MS = 1_000
Text = Annotated[str, msgspec.Meta(max_length=TEXT_CHARS_MAX)]
# Kept in SQLite INTEGER columns: a number past them would fail the store job that keeps it.
Int64 = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)]
# The card form's target goes into the wallet page's form action and its Content-Security-Policy header: a
# plain http(s) URL, printable ASCII without the spaces, quotes, commas and semicolons that would end either.
Url = Annotated[str, msgspec.Meta(max_length=2_048, pattern=r"^https?://[A-Za-z0-9\-._~:/?#\[\]@!$&()*+=%]+$")]


class _Card(msgspec.Struct, frozen=True):
    brand: Text
    last4: Annotated[str, msgspec.Meta(pattern="^[0-9]{0,4}$")]


class AcquirerSession(msgspec.Struct, frozen=True):
    """A payment session as the acquirer states it."""

    id: Text
    reference: Text
    amount_minor: Int64
    currency: Text
    status: Text  # open, pending, authorized, declined, timed_out, expired, refunded
    expires_at_ms: Int64
    card_form_url: Url
    reason: Text | None = None
    payment_id: Text | None = None
    card: _Card | None = None


class CardAcquirer:
    def __init__(self, link: CardAcquirerLink, timeout_ms: int) -> None:
        self.link = link
        self._http = AsyncHttpClient(link.base_url, timeout_ms=timeout_ms, retry_budget_ms=RETRY_BUDGET_MS,
                                     headers={"Authorization": f"Bearer {link.api_key}"})

    async def aclose(self) -> None:
        """Close this event loop's connections (as the server that called it stops)."""
        await self._http.aclose()

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
                    idempotent: bool | None = None) -> AcquirerSession:
        return await self._http.call(method, path, json=body, idempotent=idempotent, kind=AcquirerSession)

    async def open_session(self, reference: str, amount_minor: int, currency: str, return_url: str | None,
                           expires_in_ms: int) -> AcquirerSession:
        """Open (or, for a reference already opened with the same terms, find again) a payment session."""
        return await self._call("POST", "/v1/sessions", {
            "amount_minor": amount_minor, "currency": currency, "reference": reference, "return_url": return_url,
            "expires_in_ms": expires_in_ms}, idempotent=True)

    async def session(self, session_id: str) -> AcquirerSession:
        return await self._call("GET", f"/v1/sessions/{session_id}")

    async def refund(self, payment_id: str) -> AcquirerSession:
        return await self._call("POST", "/v1/refunds", {"payment_id": payment_id})
