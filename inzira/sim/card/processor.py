"""The acquirer's payment engine: a card form's fields become a decision (the test card's, or the one the
behaviour forces), a pending payment times out after the card issuer's timeout, a refund reverses an
authorization; every decision is announced to the merchant by a callback."""

from __future__ import annotations

import asyncio
import time

from inzira.sim.card.cards import CardDecision, decide
from inzira.sim.card.config import Behaviour, CardSimConfig
from inzira.sim.card.notifier import Notifier, now_ms
from inzira.sim.card.store import SessionStore
from inzira.sim.card.wire import PENDING, Session

TIMER_SLACK_MS = 1  # a timer never fires sooner than this: one found early re-arms itself


class Processor:
    def __init__(self, config: CardSimConfig, store: SessionStore) -> None:
        self._store = store
        self.behaviour = config.behaviour
        self.notifier = Notifier(config, lambda: self.behaviour)
        self._timers: dict[str, asyncio.TimerHandle] = {}  # one per pending payment (bounded by the store)

    def set_behaviour(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour

    def resume(self) -> None:
        """After a start: time out the payments a previous run left pending, each at its own deadline."""
        for session in self._store.pending():
            self._schedule_timeout(session)

    def pay(self, session_id: str, number: str, expiry: str, cvc: str) -> Session:
        """Take the card form of an open session; a session already decided is answered as it is."""
        today = time.gmtime()
        decision = self._forced(decide(number, expiry, cvc, today.tm_year, today.tm_mon))
        session, decided = self._store.attempt(session_id, decision, now_ms(), self.behaviour.auth_timeout_ms)
        if decided:
            if session.status == PENDING:
                self._schedule_timeout(session)
            else:
                self.notifier.announce(session)
        return session

    def refund(self, payment_id: str) -> Session:
        session, refunded = self._store.refund(payment_id, now_ms())
        if refunded:
            self.notifier.announce(session)
        return session

    def _forced(self, decision: CardDecision) -> CardDecision:
        forced = self.behaviour.forced
        if forced is None or decision.outcome == "declined":  # fields the acquirer refuses stay refused
            return decision
        if forced == "decline":
            return CardDecision("declined", self.behaviour.decline_reason, decision.brand, decision.last4)
        return CardDecision("pending", None, decision.brand, decision.last4)

    def _schedule_timeout(self, session: Session) -> None:
        delay_s = max(TIMER_SLACK_MS, (session.timeout_at_ms or now_ms()) - now_ms()) / 1000
        loop = asyncio.get_running_loop()
        self._timers[session.id] = loop.call_later(delay_s, self._time_out, session.id)

    def _time_out(self, session_id: str) -> None:
        self._timers.pop(session_id, None)
        session = self._store.get(session_id, now_ms())  # applies the timeout
        if session is None:
            return
        if session.status == PENDING:  # the loop's clock ran ahead of the wall clock: not due yet, wait again
            self._schedule_timeout(session)
        else:
            self.notifier.announce(session)

    async def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        await self.notifier.stop()
