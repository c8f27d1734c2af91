"""A receiving FSP's calls to its mobile-money operator for one payout: ask it to pay (retried, idempotently,
while it cannot be reached), then take its callback or ask it (doubling the interval) until the payout is final
or the deadline passes. Every call holds one of the agent's operator calls (``operator_calls_max``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from inzira.ledger.codes import Code
from inzira.remit.codes import RemitError
from inzira.remit.payout import PayoutAdapter, PayoutError, PayoutState, PayoutStatus, PayoutUnavailableError
from inzira.remit.payout_callbacks import PayoutCallbacks
from inzira.remit.records import PayoutRecord
from inzira.remit.settings import RemitSettings

UNAVAILABLE_RETRY_S = 0.2
POLL_FIRST_MS = 20
POLL_MAX_MS = 1_000
ANSWERED, CALLED_BACK = "the operator answered", "the operator called back"


class OperatorCalls:
    def __init__(self, fsp: str, adapter: PayoutAdapter, callbacks: PayoutCallbacks, settings: RemitSettings,
                 clock_ms: Callable[[], int], calls: asyncio.Semaphore) -> None:
        self.fsp = fsp
        self.adapter = adapter
        self.callbacks = callbacks
        self.settings = settings
        self.clock_ms = clock_ms
        self._calls = calls

    async def pay(self, payout: PayoutRecord, deadline_ms: int) -> tuple[PayoutState | None, str]:
        """The payout's last known state by ``deadline_ms`` (None: the operator never took it), and how it came."""
        called_back = self.callbacks.expect(payout)
        how = ANSWERED
        try:
            state = await self._start(payout, deadline_ms, self.callbacks.url(payout.reference_id)
                                      if called_back is not None else None)
            if state is not None and not state.final and called_back is not None:
                state = await self._called_back(called_back, deadline_ms) or state
                how = CALLED_BACK if state.final else how
            if state is not None and not state.final:  # no callback in time: ask, as the fallback
                state = await self._final(payout.reference_id, deadline_ms)
        finally:
            self.callbacks.forget(payout.reference_id)
        return state, how

    async def status(self, reference_id: str) -> PayoutState | None:
        """The operator's answer when asked once, or None when it could not answer."""
        try:
            async with self._calls:
                return await self.adapter.status(reference_id)
        except PayoutError:
            return None

    async def callback(self, reference_id: str, token: str, body: bytes) -> None:
        """The operator reports a payout final at the URL it was given (``PayoutCallbacks``)."""
        if not self.callbacks.genuine(reference_id, token):
            raise RemitError(403, Code.PERMISSION, f"not a callback URL {self.fsp} gave an operator")
        payout = self.callbacks.awaited(reference_id)
        if payout is None:
            return  # late or repeated: reconciliation asks the operator about that payout
        try:
            state = self.adapter.callback_state(reference_id, body, payout.msisdn, payout.amount_minor,
                                                payout.currency)
        except (PayoutError, ValueError) as exc:
            raise RemitError(400, Code.VALIDATION, f"the callback does not report this payout: {exc}") from None
        self.callbacks.deliver(state)

    async def _called_back(self, called_back: "asyncio.Future[PayoutState]", deadline_ms: int) -> PayoutState | None:
        wait_ms = min(self.settings.payout_callback_wait_ms, deadline_ms - self.clock_ms())
        try:
            return await asyncio.wait_for(called_back, max(0, wait_ms) / 1000)
        except TimeoutError:
            return None

    async def _final(self, reference_id: str, deadline_ms: int) -> PayoutState | None:
        """Ask the operator (doubling the interval) until the payout is final or the deadline; the last state."""
        interval_ms = POLL_FIRST_MS
        last: PayoutState | None = None
        while True:
            answer = await self.status(reference_id)
            if answer is not None:  # else unreachable, or not yet known there: asked again until the deadline
                last = answer
            remaining_ms = deadline_ms - self.clock_ms()
            if (last is not None and last.final) or remaining_ms <= 0:
                return last
            await asyncio.sleep(min(interval_ms, remaining_ms) / 1000)
            interval_ms = min(interval_ms * 2, POLL_MAX_MS)

    async def _start(self, payout: PayoutRecord, deadline_ms: int, callback_url: str | None) -> PayoutState | None:
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
            except PayoutError as exc:  # configuration or conflict: this payout cannot be made
                return PayoutState(payout.reference_id, PayoutStatus.FAILED, reason=type(exc).__name__)
