"""A receiving FSP's calls to its operator about one payout: ask it to pay, wait for its callback, ask until
the payout is final, or ask once about a payout an earlier run may have started.

Every call goes through the FSP's ``calls`` semaphore (its look-ups share it) and names the payout by its
reference id, so a call repeated (a retry, a restart) never pays twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from inzira.remit.payout import (
    PayoutAdapter,
    PayoutConfigError,
    PayoutConflictError,
    PayoutError,
    PayoutNotFoundError,
    PayoutState,
    PayoutStatus,
    PayoutUnavailableError,
)
from inzira.remit.records import PayoutRecord

UNAVAILABLE_RETRY_S = 0.2
POLL_FIRST_MS = 20
POLL_MAX_MS = 1_000
NOT_AS_ASKED = "NOT_AS_ASKED"  # the reason of a payout whose operator's answer is about another payout


def not_as_asked(payout: PayoutRecord, state: PayoutState) -> str | None:
    """How the payout an operator's answer (callback or status) describes differs from the one it was asked
    for, or None: the payee, amount and currency the FSP quoted, and the quote id it gave as external id."""
    return state.not_as_asked(payout.msisdn, payout.amount_minor, payout.currency, payout.quote_id)


def decided(payout: PayoutRecord, state: PayoutState) -> bool:
    """Whether an answer ends the asking: final, or about another payout, PENDING too (what the operator holds
    under this reference id is not the payout asked for, whatever it goes on to do with it)."""
    return state.final or not_as_asked(payout, state) is not None


class OperatorCalls:
    def __init__(self, adapter: PayoutAdapter, calls: asyncio.Semaphore, clock_ms: Callable[[], int],
                 callback_wait_ms: int) -> None:
        self.adapter = adapter
        self.clock_ms = clock_ms
        self.callback_wait_ms = callback_wait_ms
        self._calls = calls

    async def start(self, payout: PayoutRecord, deadline_ms: int, callback_url: str | None) -> PayoutState | None:
        """Ask the operator to pay; retried (idempotently) while it cannot be reached, until the deadline."""
        while True:
            try:
                async with self._calls:
                    return await self.adapter.start(payout.reference_id, payout.msisdn, payout.amount_minor,
                                                    payout.currency, payout.quote_id, callback_url,
                                                    deadline_ms=deadline_ms)
            except PayoutUnavailableError:
                if self.clock_ms() + UNAVAILABLE_RETRY_S * 1000 >= deadline_ms:
                    return None
                await asyncio.sleep(UNAVAILABLE_RETRY_S)
            except PayoutConfigError as exc:  # refused before any payout was made
                return PayoutState(payout.reference_id, PayoutStatus.FAILED, reason=type(exc).__name__)
            except PayoutConflictError as exc:
                # The operator holds another payout under this reference id: its state (SUCCESSFUL too, from this
                # FSP's float), which the flow flags NOT_AS_ASKED, rather than a failure that hides what it paid.
                said = await self.asked(payout)
                return said or PayoutState(payout.reference_id, PayoutStatus.FAILED, reason=type(exc).__name__)
            except PayoutError:
                # An answer the adapter cannot read (a 200 for a 202, a proxy's page, a 409 whose transfer is not
                # readable yet): the operator may have taken the payout, so it is asked, never declined unasked.
                return PayoutState(payout.reference_id, PayoutStatus.PENDING)

    async def called_back(self, called_back: "asyncio.Future[PayoutState]", deadline_ms: int) -> PayoutState | None:
        """The state the operator's callback reports, if it comes within ``callback_wait_ms`` and the deadline."""
        wait_ms = min(self.callback_wait_ms, deadline_ms - self.clock_ms())
        try:
            return await asyncio.wait_for(called_back, max(0, wait_ms) / 1000)
        except TimeoutError:
            return None

    async def final(self, payout: PayoutRecord, deadline_ms: int) -> PayoutState | None:
        """Ask the operator (doubling the interval) until the payout is ``decided`` or the deadline; the last
        state."""
        interval_ms = POLL_FIRST_MS
        last: PayoutState | None = None
        while True:
            try:
                async with self._calls:
                    last = await self.adapter.status(payout.reference_id)
            except PayoutError:
                pass  # unreachable, or not yet known there: ask again until the deadline
            remaining_ms = deadline_ms - self.clock_ms()
            if (last is not None and decided(payout, last)) or remaining_ms <= 0:
                return last
            await asyncio.sleep(min(interval_ms, remaining_ms) / 1000)
            interval_ms = min(interval_ms * 2, POLL_MAX_MS)

    async def asked(self, payout: PayoutRecord) -> PayoutState | None:
        """What the operator says of a payout an earlier run may have asked it for: its state (PENDING when it
        cannot be reached: the outcome is unknown, not a failure), or None when it never had that payout."""
        try:
            async with self._calls:
                return await self.adapter.status(payout.reference_id)
        except PayoutNotFoundError:
            return None
        except PayoutError:
            return PayoutState(payout.reference_id, PayoutStatus.PENDING)

    async def status(self, reference_id: str) -> PayoutState | None:
        """The payout's state now, or None when the operator cannot say."""
        try:
            async with self._calls:
                return await self.adapter.status(reference_id)
        except PayoutError:
            return None
