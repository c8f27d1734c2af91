"""Payouts through MomoHttpAdapter against the simulator: money moves once, failures come back as data."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from momo_helpers import FLOAT_MINOR, JEANNE, UNKNOWN, WAIT_MS, adapter_for

from inzira.remit.payout import AccountHolder, PayoutConflictError, PayoutStatus, reference_id_from
from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve

pytestmark = pytest.mark.anyio


def new_ref() -> str:
    return str(uuid.uuid4())


async def test_successful_payout_credits_wallet_and_debits_float(sim: RunningMomoSim) -> None:
    ref = new_ref()
    async with adapter_for(sim) as adapter:
        started = await adapter.start(ref, "+" + JEANNE, 15_000, "RWF", "remit-1")
        assert started.status is PayoutStatus.PENDING and started.reference_id == ref
        final = await adapter.wait_final(ref, WAIT_MS)
        assert final.status is PayoutStatus.SUCCESSFUL
        assert final.reason is None and final.operator_txn_id
        assert (await adapter.balance()).amount_minor == FLOAT_MINOR - 15_000
    wallet = sim.admin.wallet(JEANNE)
    assert wallet is not None and wallet.balance_minor == 15_000
    assert sim.admin.float_minor() == FLOAT_MINOR - 15_000
    [entry] = sim.admin.history(JEANNE)
    assert (entry.reference_id, entry.amount_minor) == (ref, 15_000)
    assert entry.financial_transaction_id == final.operator_txn_id


async def test_resending_the_same_reference_pays_once(sim: RunningMomoSim) -> None:
    ref = reference_id_from(b"transfer-42")
    async with adapter_for(sim) as adapter:
        first = await adapter.start(ref, JEANNE, 2_000, "RWF", "remit-42")
        resent = await asyncio.gather(*(adapter.start(ref, JEANNE, 2_000, "RWF", "remit-42") for _ in range(5)))
        assert first.status is PayoutStatus.PENDING
        assert {state.reference_id for state in resent} == {ref}
        final = await adapter.wait_final(ref, WAIT_MS)
        again = await adapter.start(ref, JEANNE, 2_000, "RWF", "remit-42")
    assert final.status is PayoutStatus.SUCCESSFUL
    assert again == final  # a resend after completion returns the completed payout
    assert sim.admin.wallet(JEANNE).balance_minor == 2_000  # type: ignore[union-attr]
    assert sim.admin.float_minor() == FLOAT_MINOR - 2_000
    assert sim.admin.stats().transfers == 1


async def test_reference_reused_with_another_body_is_refused(sim: RunningMomoSim) -> None:
    ref = new_ref()
    async with adapter_for(sim) as adapter:
        await adapter.start(ref, JEANNE, 1_000, "RWF", "remit-7")
        for other in [(JEANNE, 1_001, "remit-7"), (JEANNE, 1_000, "remit-8"), (UNKNOWN, 1_000, "remit-7")]:
            with pytest.raises(PayoutConflictError):
                await adapter.start(ref, other[0], other[1], "RWF", other[2])
        assert (await adapter.wait_final(ref, WAIT_MS)).status is PayoutStatus.SUCCESSFUL
    assert sim.admin.wallet(JEANNE).balance_minor == 1_000  # type: ignore[union-attr]
    assert sim.admin.stats().transfers == 1


async def test_lookup_finds_holders_and_not_strangers(sim: RunningMomoSim) -> None:
    sim.admin.create_wallet("250722000111", "Eric", "Habimana", active=False)
    async with adapter_for(sim) as adapter:
        assert await adapter.lookup("+" + JEANNE) == AccountHolder(JEANNE, "Jeanne Uwase", True)
        assert await adapter.lookup("250722000111") == AccountHolder("250722000111", "Eric Habimana", False)
        assert await adapter.lookup(UNKNOWN) is None
        assert await adapter.lookup("not a number") is None


async def test_unknown_and_inactive_payees_fail_without_moving_money(sim: RunningMomoSim) -> None:
    sim.admin.create_wallet("250722000111", "Eric", "Habimana", active=False)
    async with adapter_for(sim) as adapter:
        unknown, inactive = new_ref(), new_ref()
        await adapter.start(unknown, UNKNOWN, 5_000, "RWF", "remit-u")
        await adapter.start(inactive, "250722000111", 5_000, "RWF", "remit-i")
        assert (await adapter.wait_final(unknown, WAIT_MS)).reason == "PAYEE_NOT_FOUND"
        failed = await adapter.wait_final(inactive, WAIT_MS)
    assert failed.status is PayoutStatus.FAILED and failed.reason == "PAYEE_NOT_ALLOWED_TO_RECEIVE"
    assert failed.operator_txn_id is None
    assert sim.admin.float_minor() == FLOAT_MINOR
    assert sim.admin.wallet("250722000111").balance_minor == 0  # type: ignore[union-attr]


async def test_payout_above_the_float_fails_not_enough_funds(sim: RunningMomoSim) -> None:
    ref = new_ref()
    async with adapter_for(sim) as adapter:
        await adapter.start(ref, JEANNE, FLOAT_MINOR + 1, "RWF", "remit-big")
        final = await adapter.wait_final(ref, WAIT_MS)
        exact = new_ref()
        await adapter.start(exact, JEANNE, FLOAT_MINOR, "RWF", "remit-all")
        emptied = await adapter.wait_final(exact, WAIT_MS)
    assert (final.status, final.reason) == (PayoutStatus.FAILED, "NOT_ENOUGH_FUNDS")
    assert emptied.status is PayoutStatus.SUCCESSFUL
    assert sim.admin.float_minor() == 0
    assert sim.admin.wallet(JEANNE).balance_minor == FLOAT_MINOR  # type: ignore[union-attr]


async def test_amounts_in_a_currency_with_decimals_cross_the_wire_exactly() -> None:
    with serve(MomoSimConfig(currency="EUR", target_environment="sandbox", float_minor=10_000)) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        ref = new_ref()
        async with adapter_for(sim) as adapter:
            await adapter.start(ref, JEANNE, 1_005, "EUR", "remit-eur")  # 10.05 EUR
            assert (await adapter.wait_final(ref, WAIT_MS)).status is PayoutStatus.SUCCESSFUL
            balance = await adapter.balance()
        assert (balance.amount_minor, balance.currency) == (8_995, "EUR")
        assert sim.admin.wallet(JEANNE).balance_minor == 1_005  # type: ignore[union-attr]
