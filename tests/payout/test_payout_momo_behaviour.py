"""The simulator's knobs seen through the adapter: latency, seeded failures, forced outcomes, callbacks."""

from __future__ import annotations

import asyncio
import queue
import random
import uuid

import pytest
from fastapi import FastAPI, Request, Response
from momo_helpers import FLOAT_MINOR, JEANNE, UNKNOWN, WAIT_MS, adapter_for, eventually

from inzira.remit.payout import PayoutConfigError, PayoutStatus
from inzira.sim.momo import Behaviour, ForcedOutcome, MomoSimConfig, RunningMomoSim, serve
from inzira.sim.server import serve_app

pytestmark = pytest.mark.anyio
HELD = "250788000001"  # never resolves
DOOMED = "250788000002"  # always fails


def new_ref() -> str:
    return str(uuid.uuid4())


async def test_pending_comes_before_successful_and_money_moves_only_then() -> None:
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR, behaviour=Behaviour(latency_ms=2_000))) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        ref = new_ref()
        async with adapter_for(sim) as adapter:
            started = await adapter.start(ref, JEANNE, 3_000, "RWF", "remit-slow")
            seen = [started.status]
            for _ in range(200):  # bounded: 200 polls of 50 ms cover the 2 s latency many times over
                balance_before = sim.admin.wallet(JEANNE).balance_minor  # type: ignore[union-attr]
                state = await adapter.status(ref)
                if state.status is PayoutStatus.PENDING:
                    assert balance_before == 0  # read before a PENDING answer: nothing paid yet
                if not seen or seen[-1] is not state.status:
                    seen.append(state.status)
                if state.final:
                    break
                await asyncio.sleep(0.05)
        assert seen == [PayoutStatus.PENDING, PayoutStatus.SUCCESSFUL]
        assert sim.admin.wallet(JEANNE).balance_minor == 3_000  # type: ignore[union-attr]


async def test_seeded_failure_rate_fails_exactly_the_predicted_transfers() -> None:
    seed, rate, count = 42, 0.4, 20
    draws = random.Random(seed)
    expected = [PayoutStatus.FAILED if draws.random() < rate else PayoutStatus.SUCCESSFUL for _ in range(count)]
    assert PayoutStatus.FAILED in expected and PayoutStatus.SUCCESSFUL in expected
    behaviour = Behaviour(failure_rate=rate, seed=seed, failure_reason="COULD_NOT_PERFORM_TRANSACTION")
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR, behaviour=behaviour)) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        async with adapter_for(sim) as adapter:
            refs = [new_ref() for _ in range(count)]
            for index, ref in enumerate(refs):  # one at a time: the draws follow acceptance order
                await adapter.start(ref, JEANNE, 100 + index, "RWF", f"remit-{index}")
            finals = [await adapter.wait_final(ref, WAIT_MS) for ref in refs]
        assert [final.status for final in finals] == expected
        assert {final.reason for final in finals if final.status is PayoutStatus.FAILED} == {
            "COULD_NOT_PERFORM_TRANSACTION"
        }
        paid = sum(100 + i for i, final in enumerate(finals) if final.status is PayoutStatus.SUCCESSFUL)
        assert sim.admin.wallet(JEANNE).balance_minor == paid  # type: ignore[union-attr]
        assert sim.admin.float_minor() == FLOAT_MINOR - paid


async def test_setting_the_behaviour_again_replays_the_same_failures(sim: RunningMomoSim) -> None:
    async def outcomes() -> list[PayoutStatus]:
        sim.admin.set_behaviour(Behaviour(failure_rate=0.5, seed=7))
        async with adapter_for(sim) as adapter:
            refs = [new_ref() for _ in range(10)]
            for ref in refs:
                await adapter.start(ref, JEANNE, 10, "RWF", "replay")
            return [(await adapter.wait_final(ref, WAIT_MS)).status for ref in refs]

    assert await outcomes() == await outcomes()


async def test_forced_numbers_never_resolve_or_always_fail(sim: RunningMomoSim) -> None:
    sim.admin.create_wallet(HELD, "Held", "Wallet")
    sim.admin.create_wallet(DOOMED, "Doomed", "Wallet")
    forced = (ForcedOutcome(HELD, "pending"), ForcedOutcome(DOOMED, "fail", reason="PAYER_LIMIT_REACHED"))
    sim.admin.set_behaviour(Behaviour(failure_rate=1.0, forced=(*forced, ForcedOutcome(JEANNE, "succeed"))))
    held, doomed, lucky = new_ref(), new_ref(), new_ref()
    async with adapter_for(sim) as adapter:
        await adapter.start(held, HELD, 500, "RWF", "held")
        await adapter.start(doomed, DOOMED, 500, "RWF", "doomed")
        await adapter.start(lucky, JEANNE, 500, "RWF", "lucky")
        timed_out = await adapter.wait_final(held, 300)
        failed = await adapter.wait_final(doomed, WAIT_MS)
        succeeded = await adapter.wait_final(lucky, WAIT_MS)
    assert timed_out.status is PayoutStatus.PENDING and timed_out.reference_id == held
    assert (failed.status, failed.reason) == (PayoutStatus.FAILED, "PAYER_LIMIT_REACHED")
    assert succeeded.status is PayoutStatus.SUCCESSFUL  # "succeed" overrides a failure rate of 1
    assert sim.admin.stats().pending == 1


async def test_callback_delivers_the_final_status_once() -> None:
    received: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue(maxsize=100)
    receiver = FastAPI()

    @receiver.post("/payout-callbacks/{reference_id}")
    async def callback(reference_id: str, request: Request) -> Response:
        received.put_nowait((reference_id, await request.json()))
        return Response(status_code=200)

    with serve_app(receiver) as listening, serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        callback_url = f"{listening.base_url}/payout-callbacks/{{reference_id}}"
        paid, failed = new_ref(), new_ref()
        async with adapter_for(sim, callback_url=callback_url) as adapter:
            await adapter.start(paid, JEANNE, 700, "RWF", "remit-cb")
            await adapter.start(failed, UNKNOWN, 700, "RWF", "remit-cb-2")
            final = await adapter.wait_final(paid, WAIT_MS)
            calls = dict([await asyncio.to_thread(received.get, True, 5) for _ in range(2)])
        assert calls[paid]["status"] == "SUCCESSFUL"
        assert calls[paid]["financialTransactionId"] == final.operator_txn_id
        assert calls[paid]["amount"] == "700" and calls[paid]["externalId"] == "remit-cb"
        assert (calls[failed]["status"], calls[failed]["reason"]) == ("FAILED", "PAYEE_NOT_FOUND")
        assert eventually(lambda: sim.admin.stats().callbacks_sent == 2)
        assert received.empty()


async def test_callback_to_an_unregistered_host_is_refused(sim: RunningMomoSim) -> None:
    async with adapter_for(sim, callback_url="http://callbacks.example.com/{reference_id}") as adapter:
        with pytest.raises(PayoutConfigError, match="INVALID_CALLBACK_URL_HOST"):
            await adapter.start(new_ref(), JEANNE, 100, "RWF", "remit")
    assert sim.admin.stats().transfers == 0


async def test_money_is_conserved_across_a_random_mix() -> None:
    float_minor = 80_000
    rng = random.Random(11)
    with serve(MomoSimConfig(float_minor=float_minor, behaviour=Behaviour(failure_rate=0.3, seed=3))) as sim:
        wallets = ["250788100001", "250788100002", "250788100003"]
        for msisdn in wallets:
            sim.admin.create_wallet(msisdn, "Test", "Holder")
        sim.admin.create_wallet("250788100004", "Closed", "Holder", active=False)
        payees = [*wallets, "250788100004", UNKNOWN]
        async with adapter_for(sim) as adapter:
            sent = [(new_ref(), rng.choice(payees), rng.randint(1, 20_000)) for _ in range(30)]
            for ref, msisdn, amount in sent:
                await adapter.start(ref, msisdn, amount, "RWF", "mix")
            finals = {ref: await adapter.wait_final(ref, WAIT_MS) for ref, _, _ in sent}
        paid_to = {msisdn: 0 for msisdn in payees}
        for ref, msisdn, amount in sent:
            if finals[ref].status is PayoutStatus.SUCCESSFUL:
                paid_to[msisdn] += amount
        reasons = {final.reason for final in finals.values() if final.status is PayoutStatus.FAILED}
        expected_reasons = {
            "INTERNAL_PROCESSING_ERROR",
            "PAYEE_NOT_FOUND",
            "PAYEE_NOT_ALLOWED_TO_RECEIVE",
            "NOT_ENOUGH_FUNDS",
        }
        assert reasons == expected_reasons  # the seeds above reach every failure branch
        held = [sim.admin.wallet(msisdn).balance_minor for msisdn in wallets]  # type: ignore[union-attr]
        assert held == [paid_to[msisdn] for msisdn in wallets]
        assert sim.admin.float_minor() + sum(held) == float_minor
        assert paid_to["250788100004"] == paid_to[UNKNOWN] == 0
