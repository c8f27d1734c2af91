"""The operator's disbursement engine: accept a transfer, decide its outcome, resolve it after the latency,
then call the partner back once with the final status (MTN sends its callback once, no retry)."""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

import msgspec

from inzira.http import AsyncHttpClient, HttpProblem
from inzira.sim.momo.config import Behaviour, MomoSimConfig
from inzira.sim.momo.store import Plan, Refused, Transfer, WalletStore
from inzira.sim.momo.wire import amount_text


class TransferRequest(msgspec.Struct, frozen=True):
    """A transfer whose headers and body passed every check."""

    reference_id: str
    amount_minor: int
    currency: str
    msisdn: str
    external_id: str
    payer_message: str
    payee_note: str
    callback_url: str | None


def status_body(transfer: Transfer) -> dict[str, Any]:
    """GET /transfer/{referenceId} as MTN shapes it; the callback carries the same body."""
    body: dict[str, Any] = {
        "amount": amount_text(transfer.amount_minor, transfer.currency),
        "currency": transfer.currency,
        "externalId": transfer.external_id,
        "payee": {"partyIdType": "MSISDN", "partyId": transfer.msisdn},
        "payerMessage": transfer.payer_message,
        "payeeNote": transfer.payee_note,
        "status": transfer.status,
    }
    if transfer.financial_transaction_id is not None:
        body["financialTransactionId"] = transfer.financial_transaction_id
    if transfer.reason is not None:
        body["reason"] = transfer.reason
    return body


class Processor:
    def __init__(self, config: MomoSimConfig, store: WalletStore) -> None:
        self._config = config
        self._store = store
        self._timers: dict[str, asyncio.TimerHandle] = {}  # at most pending_max: one per pending transfer
        self._callbacks: set[asyncio.Task[None]] = set()
        # MTN calls back once: no retry.
        self._client = AsyncHttpClient(timeout_ms=config.callback_timeout_ms)
        self.callbacks_sent = 0
        self.callbacks_failed = 0
        self.callbacks_dropped = 0
        self.status_reads = 0
        self.set_behaviour(config.behaviour)

    @property
    def behaviour(self) -> Behaviour:
        return self._behaviour

    def set_behaviour(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour
        self._rng = random.Random(behaviour.seed)
        self._latency_rng = random.Random(behaviour.seed)
        self._forced = {forced.msisdn: forced for forced in behaviour.forced}

    async def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in list(self._callbacks):
            task.cancel()
        await asyncio.gather(*self._callbacks, return_exceptions=True)
        await self._client.aclose()

    def accept(self, request: TransferRequest) -> None:
        """Record the transfer as PENDING and schedule its resolution; raises ``Refused``."""
        rng_state = self._rng.getstate()
        plan, plan_reason = self._plan(request.msisdn)
        transfer = Transfer(
            reference_id=request.reference_id,
            amount_minor=request.amount_minor,
            currency=request.currency,
            msisdn=request.msisdn,
            external_id=request.external_id,
            payer_message=request.payer_message,
            payee_note=request.payee_note,
            callback_url=request.callback_url,
            plan=plan,
            plan_reason=plan_reason,
            created_ms=time.time_ns() // 1_000_000,
        )
        try:
            self._store.add_transfer(transfer)
        except Refused:
            self._rng.setstate(rng_state)  # a refused request must not shift the seeded failure sequence
            raise
        if plan != "hold":
            loop = asyncio.get_running_loop()
            delay_s = self._delay_ms() / 1000
            self._timers[request.reference_id] = loop.call_later(delay_s, self._resolve, request.reference_id)

    def _delay_ms(self) -> int:
        low, high = self._behaviour.latency_ms, self._behaviour.latency_max_ms
        return low if high is None or high == low else self._latency_rng.randint(low, high)

    def _plan(self, msisdn: str) -> tuple[Plan, str | None]:
        forced = self._forced.get(msisdn)
        if forced is not None:
            if forced.outcome == "fail":
                return "fail", forced.reason
            return ("hold", None) if forced.outcome == "pending" else ("settle", None)
        if self._rng.random() < self._behaviour.failure_rate:
            return "fail", self._behaviour.failure_reason
        return "settle", None

    def _resolve(self, reference_id: str) -> None:
        self._timers.pop(reference_id, None)
        final = self._store.resolve(reference_id)
        if final.callback_url is not None:
            self._notify(final.callback_url, status_body(final))

    def _notify(self, url: str, body: dict[str, Any]) -> None:
        if len(self._callbacks) >= self._config.callbacks_in_flight_max:
            self.callbacks_dropped += 1
            return
        task = asyncio.get_running_loop().create_task(self._post(url, body))
        self._callbacks.add(task)
        task.add_done_callback(self._callbacks.discard)

    async def _post(self, url: str, body: dict[str, Any]) -> None:
        try:
            answer = await self._client.send("POST", url, json=body)
        except HttpProblem:
            self.callbacks_failed += 1
            return
        if answer.is_success:
            self.callbacks_sent += 1
        else:
            self.callbacks_failed += 1
