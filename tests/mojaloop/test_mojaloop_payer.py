"""The gateway as a Mojaloop payer against the Testing Toolkit playing eKash (hub and payee FSP)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.payer import Payer, PayerConfig
from inzira.interop.mojaloop.payer_answers import Failure, PartyFound, QuoteTerms
from tests.mojaloop import hub_rules
from tests.mojaloop.payer_app import payer_app
from tests.mojaloop.serving import serving
from tests.mojaloop.ttk import TestingToolkit

GATEWAY = "inzira"
SENDER = {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "32470123456", "fspId": GATEWAY},
          "name": "Amina Diallo"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def payer(ttk_hub: TestingToolkit, tmp_path: Path) -> AsyncIterator[Payer]:
    gateway = Payer(PayerConfig(GATEWAY, ttk_hub.fspiop_url, callback_timeout_ms=8_000))
    with payer_app(gateway, tmp_path) as app:
        async with serving(app) as base_url:
            ttk_hub.configure(CALLBACK_ENDPOINT=f"{base_url}/fspiop")
            yield gateway
    await gateway.aclose()


def _soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def _quote(payer: Payer, amount: int) -> QuoteTerms:
    party = await payer.lookup("MSISDN", hub_rules.KNOWN)
    assert isinstance(party, PartyFound), party
    terms = await payer.quote(party, SENDER, amount, "RWF", _soon(60))
    assert isinstance(terms, QuoteTerms), terms
    return terms


@pytest.mark.anyio
async def test_a_payment_to_a_number_only_ekash_knows_completes(payer: Payer) -> None:
    party = await payer.lookup("MSISDN", hub_rules.KNOWN)
    assert isinstance(party, PartyFound), party
    assert (party.fsp_id, party.name) == (hub_rules.PAYEE_FSP, "Jeanne Uwase")
    terms = await payer.quote(party, SENDER, 15_000, "RWF", _soon(60))
    assert isinstance(terms, QuoteTerms), terms
    assert terms.transfer_amount_minor == 15_000
    assert terms.payee_receive_amount_minor == 15_000 - int(hub_rules.FEE)
    assert terms.payee_fee_minor == int(hub_rules.FEE)
    assert ilp.read_packet(terms.ilp_packet).amount_minor == 15_000
    outcome = await payer.transfer(terms, _soon(30))
    assert outcome.state == "COMMITTED", outcome
    assert outcome.fulfilment is not None and ilp.condition_of(outcome.fulfilment) == terms.condition


@pytest.mark.anyio
async def test_a_number_nobody_knows_is_party_not_found(payer: Payer) -> None:
    assert await payer.lookup("MSISDN", hub_rules.UNKNOWN) == Failure("3204", "Party not found")


@pytest.mark.anyio
async def test_a_refused_quote_ends_the_payment(payer: Payer) -> None:
    party = await payer.lookup("MSISDN", hub_rules.KNOWN)
    assert isinstance(party, PartyFound)
    refused = await payer.quote(party, SENDER, int(hub_rules.QUOTE_REFUSED), "RWF", _soon(60))
    assert refused == Failure("5101", "Payee rejected quote")


@pytest.mark.anyio
async def test_an_aborted_transfer_is_aborted(payer: Payer) -> None:
    terms = await _quote(payer, int(hub_rules.TRANSFER_ABORTED))
    outcome = await payer.transfer(terms, _soon(30))
    assert (outcome.state, outcome.fulfilment) == ("ABORTED", None)
    assert outcome.failure == Failure("5105", "Payee FSP rejected transaction")


@pytest.mark.anyio
async def test_a_late_fulfilment_does_not_commit(payer: Payer) -> None:
    """The fulfilment comes after the transfer's expiration: the gateway asks the hub, which aborted it; the
    late callback is kept for reconciliation."""
    terms = await _quote(payer, int(hub_rules.LATE_FULFILMENT))
    outcome = await payer.transfer(terms, _soon(hub_rules.LATE_DELAY_MS / 1000 / 3))
    assert (outcome.state, outcome.fulfilment) == ("ABORTED", None), outcome
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while not any(late.key == terms.transfer_id for late in payer.late) and datetime.now(UTC) < deadline:
        await asyncio.sleep(0.1)
    late = [entry for entry in payer.late if entry.key == terms.transfer_id]
    assert late and late[0].body["transferState"] == "COMMITTED"
