"""Payout callbacks: the operator tells the receiving FSP a payout is final, instead of being asked again.

MTN's disbursement API posts the final transfer once to the ``X-Callback-Url`` given with it, with no
signature. So each payout gets its own callback URL carrying a token only this FSP can make (an HMAC of the
reference id under its secret): a caller who does not hold the URL the operator was given cannot report a
payout, and a callback is still checked against the payout it names (payee, amount, currency) before the
FSP commits on it. Polling stays, as the fallback when no callback has come within ``wait_ms``.

One waiter per payout in progress, on the service's loop; a callback nobody waits for (late, or after a
restart) is dropped: reconciliation asks the operator about that payout itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from urllib.parse import quote

from inzira.remit.payout import PayoutState
from inzira.remit.records import PayoutRecord

TOKEN_DOMAIN = b"inzira/remit/payout-callback/v1\x00"
CALLBACK_PATH = "/v1/remit/payouts/{fsp}/callbacks/{reference_id}/{token}"
WAITERS_MAX = 50_000


def callback_token(secret: bytes, reference_id: str) -> str:
    return hmac.new(secret, TOKEN_DOMAIN + reference_id.encode(), hashlib.sha256).hexdigest()


class PayoutCallbacks:
    def __init__(self, fsp: str, secret: bytes) -> None:
        self.fsp = fsp
        self._secret = secret
        self.base_url: str | None = None  # where the operator reaches this service's API; None: poll only
        self._waiters: dict[str, tuple[asyncio.Future[PayoutState], PayoutRecord]] = {}

    def url(self, reference_id: str) -> str | None:
        """The callback URL to give the operator with this payout (None when callbacks are not set up)."""
        if self.base_url is None:
            return None
        return self.base_url + CALLBACK_PATH.format(fsp=quote(self.fsp, safe=""), reference_id=reference_id,
                                                    token=callback_token(self._secret, reference_id))

    def expect(self, payout: PayoutRecord) -> asyncio.Future[PayoutState] | None:
        """Start waiting for this payout's callback (before asking the operator to pay: it may be quick)."""
        if self.base_url is None or len(self._waiters) >= WAITERS_MAX:
            return None
        future: asyncio.Future[PayoutState] = asyncio.get_running_loop().create_future()
        self._waiters[payout.reference_id] = (future, payout)
        return future

    def forget(self, reference_id: str) -> None:
        self._waiters.pop(reference_id, None)

    def genuine(self, reference_id: str, token: str) -> bool:
        # As bytes: compare_digest raises on str with non-ASCII characters, and the token is anyone's path.
        return hmac.compare_digest(callback_token(self._secret, reference_id).encode(),
                                   token.encode("utf-8", "replace"))

    def awaited(self, reference_id: str) -> PayoutRecord | None:
        """The payout whose callback is awaited under this reference id, or None."""
        found = self._waiters.get(reference_id)
        return found[1] if found is not None and not found[0].done() else None

    def deliver(self, state: PayoutState) -> None:
        found = self._waiters.get(state.reference_id)
        if found is not None and not found[0].done():
            found[0].set_result(state)
