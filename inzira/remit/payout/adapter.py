"""The interface every payout adapter implements, whatever the operator or bank behind it."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from types import TracebackType

from inzira.remit.payout.types import AccountHolder, Hashlock, OperatorBalance, PayoutState, PayoutUnavailableError

WAIT_TIMEOUT_MS_MAX = 600_000


class PayoutAdapter(ABC):
    """Pays out to a wallet by phone number. Every method is idempotent on ``reference_id``:

    - ``start`` with a reference id already used for the same payout returns its current state and never pays
      twice; with a different amount, currency, payee or external id it raises ``PayoutConflictError``.
    - Expected failures (unknown payee, operator float too low, operator refusal) come back as a FAILED
      ``PayoutState`` with the operator's reason code.
    """

    @abstractmethod
    async def lookup(self, msisdn: str) -> AccountHolder | None:
        """The holder of the wallet at ``msisdn`` (E.164, with or without '+'), or None if there is none."""

    @abstractmethod
    async def start(
        self, reference_id: str, msisdn: str, amount_minor: int, currency: str, external_id: str,
        callback_url: str | None = None, deadline_ms: int | None = None,
    ) -> PayoutState:
        """Ask the operator to pay ``amount_minor`` to ``msisdn``; usually returns PENDING at once. With
        ``callback_url`` the operator posts the final state there (``callback_state`` reads it).
        ``deadline_ms``: when the receiving FSP stops waiting (an operator with expiries ends its own before)."""

    @abstractmethod
    def callback_state(self, reference_id: str, body: bytes) -> PayoutState:
        """The final state an operator's callback reports for the payout ``reference_id``, with the payout it
        describes (``PayoutState.not_as_asked`` compares it with the one asked for); ``PayoutError`` when the
        body is not a final state."""

    @abstractmethod
    async def status(self, reference_id: str) -> PayoutState:
        """The payout's current state, with the payout the operator describes (as ``callback_state``); raises
        ``PayoutNotFoundError`` if the operator never accepted it."""

    @abstractmethod
    async def balance(self) -> OperatorBalance:
        """The operator's disbursement float."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections."""

    async def hashlock(self, quote_id: str, msisdn: str, amount_minor: int, currency: str, receive: bool,
                       payer_alias: str, expires_at_ms: int) -> Hashlock | None:
        """For an operator that sets the hashlock itself: quote ``amount_minor`` (what the wallet gets when
        ``receive``, else what is sent) and return its terms. None (the default): the FSP locks with its own."""
        return None

    def condition(self, quote_id: str) -> bytes | None:
        """The condition of the operator's hashlock for a quote, or None when the FSP sets its own."""
        return None

    def fulfilment(self, quote_id: str) -> bytes | None:
        """The fulfilment the operator released for a quote's payout, or None (not released, or not its own)."""
        return None

    async def wait_final(
        self, reference_id: str, timeout_ms: int, *, poll_interval_ms: int = 50, poll_interval_max_ms: int = 1_000
    ) -> PayoutState:
        """Poll ``status`` with doubling intervals until the payout is final or ``timeout_ms`` passes.

        On timeout it returns the last state seen (PENDING). A poll that cannot reach the operator is retried
        until the deadline; if no state was ever seen, that error is raised.
        """
        if not 0 <= timeout_ms <= WAIT_TIMEOUT_MS_MAX:
            raise ValueError(f"timeout_ms must be in 0..{WAIT_TIMEOUT_MS_MAX}")
        if not 0 < poll_interval_ms <= poll_interval_max_ms:
            raise ValueError("need 0 < poll_interval_ms <= poll_interval_max_ms")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_ms / 1000
        interval_ms = poll_interval_ms
        last: PayoutState | None = None
        while True:
            try:
                last = await self.status(reference_id)
            except PayoutUnavailableError:
                if last is None and loop.time() >= deadline:
                    raise
            if last is not None and (last.final or loop.time() >= deadline):
                return last
            await asyncio.sleep(max(0.0, min(interval_ms / 1000, deadline - loop.time())))
            interval_ms = min(interval_ms * 2, poll_interval_max_ms)

    async def __aenter__(self) -> PayoutAdapter:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
