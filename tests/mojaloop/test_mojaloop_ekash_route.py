"""The eKash payout route against the Testing Toolkit playing eKash: the quote's condition is the hashlock,
the transfer's fulfilment opens it, refusals end cleanly, and the records survive a restart."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from starlette.responses import Response

from inzira.interop.mojaloop import ilp, jws
from inzira.interop.mojaloop.demo import GATEWAY_MEMBER, ROUTE_FILE, payout_route
from inzira.interop.mojaloop.ekash_route import EkashRoute, payer_of
from inzira.interop.mojaloop.payer import Payer, PayerConfig
from inzira.interop.mojaloop.payer_answers import QuoteTerms, parse_iso
from inzira.remit.payout import PayoutConfigError, PayoutRefusedError, PayoutStatus, adapter_from_config
from tests.mojaloop import hub_rules
from tests.mojaloop.payer_app import payer_app
from tests.mojaloop.serving import serving
from tests.mojaloop.ttk import TestingToolkit

GATEWAY = "inzira"
MSISDN = "+" + hub_rules.KNOWN
FEE = int(hub_rules.FEE)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _route(hub_url: str, state_file: Path, **kw: Any) -> EkashRoute:
    return EkashRoute(Payer(PayerConfig(GATEWAY, hub_url, callback_timeout_ms=8_000)), state_file, **kw)


@pytest.fixture
async def route(ttk_hub: TestingToolkit, tmp_path: Path) -> AsyncIterator[EkashRoute]:
    route = _route(ttk_hub.fspiop_url, tmp_path / "ekash.db")
    with payer_app(route.payer, tmp_path) as app:
        async with serving(app) as base_url:
            ttk_hub.configure(CALLBACK_ENDPOINT=f"{base_url}/fspiop")
            yield route
    await route.aclose()


@pytest.mark.anyio
async def test_lookups_name_the_wallet_or_find_nobody(route: EkashRoute) -> None:
    holder = await route.lookup(MSISDN)
    assert holder is not None and (holder.name, holder.active) == ("Jeanne Uwase", True)
    assert await route.lookup("+" + hub_rules.UNKNOWN) is None


@pytest.mark.anyio
async def test_the_ekash_condition_locks_and_its_fulfilment_opens(route: EkashRoute) -> None:
    lock = await route.hashlock("q-send", MSISDN, 15_000, "RWF", False, "eurosend", _now_ms() + 60_000)
    assert (lock.transfer_minor, lock.receive_minor, lock.operator_fee_minor) == (15_000, 15_000 - FEE, FEE)
    assert route.condition("q-send") == lock.condition and route.fulfilment("q-send") is None
    state = await route.start("ref-1", MSISDN, 15_000 - FEE, "RWF", "q-send", deadline_ms=_now_ms() + 20_000)
    assert state.status is PayoutStatus.SUCCESSFUL, state
    fulfilment = route.fulfilment("q-send")
    assert fulfilment is not None and ilp.condition_of(fulfilment) == lock.condition
    assert (await route.status("ref-1")).status is PayoutStatus.SUCCESSFUL
    again = await route.start("ref-1", MSISDN, 15_000 - FEE, "RWF", "q-send", deadline_ms=_now_ms() + 20_000)
    assert again.status is PayoutStatus.SUCCESSFUL  # idempotent: no second eKash transfer


@pytest.mark.anyio
async def test_a_receive_quote_puts_the_fee_on_top(route: EkashRoute) -> None:
    lock = await route.hashlock("q-receive", MSISDN, 10_000, "RWF", True, "eurosend", _now_ms() + 60_000)
    assert (lock.transfer_minor, lock.receive_minor, lock.operator_fee_minor) == (10_000 + FEE, 10_000, FEE)


@pytest.mark.anyio
async def test_refusals_end_cleanly(route: EkashRoute) -> None:
    with pytest.raises(PayoutRefusedError) as caught:
        await route.hashlock("q-none", "+" + hub_rules.UNKNOWN, 1_000, "RWF", False, "eurosend", _now_ms() + 60_000)
    assert caught.value.code == "3204"
    with pytest.raises(PayoutRefusedError) as caught:
        await route.hashlock("q-no", MSISDN, int(hub_rules.QUOTE_REFUSED), "RWF", False, "eurosend",
                             _now_ms() + 60_000)
    assert caught.value.code == "5101"
    amount = int(hub_rules.TRANSFER_ABORTED)
    await route.hashlock("q-abort", MSISDN, amount, "RWF", False, "eurosend", _now_ms() + 60_000)
    state = await route.start("ref-abort", MSISDN, amount - FEE, "RWF", "q-abort", deadline_ms=_now_ms() + 20_000)
    assert (state.status, state.reason) == (PayoutStatus.FAILED, "MOJALOOP_5105")
    assert route.fulfilment("q-abort") is None


@pytest.mark.anyio
async def test_a_payout_not_as_quoted_or_unquoted_is_refused_without_sending(route: EkashRoute) -> None:
    await route.hashlock("q-x", MSISDN, 2_000, "RWF", False, "eurosend", _now_ms() + 60_000)
    assert (await route.start("r1", MSISDN, 2_000, "RWF", "q-x", deadline_ms=_now_ms() + 20_000)).reason == "NOT_AS_QUOTED"
    assert (await route.start("r2", "+250788000002", 2_000 - FEE, "RWF", "q-x")).reason == "NOT_AS_QUOTED"
    assert (await route.start("r3", MSISDN, 2_000 - FEE, "RWF", "q-unknown")).reason == "NO_EKASH_QUOTE"


@pytest.mark.anyio
async def test_a_quote_id_already_quoted_is_never_quoted_again(route: EkashRoute) -> None:
    """An Inzira quote id is public (its reservation's memo), and a receiving FSP forgets another deployment's
    quote about an hour after it expired: any sending member may then agree that id again at its deployment.
    Before, the route's new eKash quote replaced the record of the transfer already sent and committed under it
    (state, fulfilment, reference, sent time): that transfer left the settlement report of what the gateway owes."""
    await route.hashlock("q-once", MSISDN, 4_000, "RWF", False, "eurosend", _now_ms() + 60_000)
    paid = await route.start("ref-once", MSISDN, 4_000 - FEE, "RWF", "q-once", deadline_ms=_now_ms() + 20_000)
    assert paid.status is PayoutStatus.SUCCESSFUL, paid
    sent = route.state.sent_page(0, _now_ms() + 60_000, None, 10)
    fulfilment = route.fulfilment("q-once")
    assert [t.quote_id for t in sent] == ["q-once"] and fulfilment is not None
    with pytest.raises(PayoutRefusedError) as caught:
        await route.hashlock("q-once", MSISDN, 9_000, "RWF", False, "silkpay", _now_ms() + 60_000)
    assert caught.value.code == "3106"
    assert route.state.sent_page(0, _now_ms() + 60_000, None, 10) == sent
    assert route.fulfilment("q-once") == fulfilment
    assert (await route.status("ref-once")).status is PayoutStatus.SUCCESSFUL


@pytest.mark.anyio
async def test_the_records_survive_a_restart(ttk_hub: TestingToolkit, tmp_path: Path) -> None:
    state_file = tmp_path / "ekash.db"
    first = _route(ttk_hub.fspiop_url, state_file)
    with payer_app(first.payer, tmp_path) as app:
        async with serving(app) as base_url:
            ttk_hub.configure(CALLBACK_ENDPOINT=f"{base_url}/fspiop")
            lock = await first.hashlock("q-keep", MSISDN, 3_000, "RWF", False, "eurosend", _now_ms() + 60_000)
            state = await first.start("ref-keep", MSISDN, 3_000 - FEE, "RWF", "q-keep", deadline_ms=_now_ms() + 20_000)
            assert state.status is PayoutStatus.SUCCESSFUL
    await first.aclose()
    second = _route(ttk_hub.fspiop_url, state_file)
    try:
        assert second.condition("q-keep") == lock.condition
        fulfilment = second.fulfilment("q-keep")
        assert fulfilment is not None and ilp.condition_of(fulfilment) == lock.condition
        assert (await second.status("ref-keep")).status is PayoutStatus.SUCCESSFUL
    finally:
        await second.aclose()


@pytest.mark.anyio
async def test_the_ekash_transfer_expires_before_the_inzira_deadline_by_the_skew(tmp_path: Path) -> None:
    """Against a stub hub that records the transfer: its expiration is the payout deadline less the skew; with
    too little time left no transfer is sent at all."""
    sent: list[dict[str, Any]] = []
    hub = FastAPI()

    @hub.api_route("/{path:path}", methods=["GET", "POST"])
    async def accept(path: str, request: Request) -> Response:
        raw = await request.body()
        sent.append({"path": "/" + path, **(json.loads(raw) if raw else {})})
        return Response(status_code=202)

    async with serving(hub) as hub_url:
        route = _route(hub_url, tmp_path / "ekash.db", clock_skew_ms=2_000, window_min_ms=1_000)
        route.payer.config = PayerConfig(GATEWAY, hub_url, callback_timeout_ms=500, get_retry_ms=300)
        try:
            # A quote as eKash would have answered it, then a payout against a deadline.
            condition = ilp.condition_of(bytes(32))
            terms = QuoteTerms("q1", "0a0b0c0d-1111-4222-8333-444455556666", "ekashpayee", "RWF", 5_000, 4_975, 25,
                               datetime.now(UTC) + timedelta(minutes=5), condition,
                               ilp.transaction_packet({}, 5_000, datetime.now(UTC) + timedelta(minutes=5), condition),
                               "7c1d2e3f-1111-4222-8333-444455556666")
            route.state.put_quote("q1", MSISDN, terms)
            deadline_ms = _now_ms() + 4_000
            state = await route.start("ref-1", MSISDN, 4_975, "RWF", "q1", deadline_ms=deadline_ms)
            posted = [body for body in sent if body["path"] == "/transfers"]
            assert len(posted) == 1
            expiration = parse_iso(posted[0]["expiration"])
            assert expiration is not None
            assert int(expiration.timestamp() * 1000) == deadline_ms - 2_000
            assert state.status is PayoutStatus.PENDING  # no answer by then: unknown, asked again later
            route.state.put_quote("q2", MSISDN, terms)
            late = await route.start("ref-2", MSISDN, 4_975, "RWF", "q2", deadline_ms=_now_ms() + 2_500)
            assert (late.status, late.reason) == (PayoutStatus.FAILED, "TOO_LATE")
            assert len([body for body in sent if body["path"] == "/transfers"]) == 1
        finally:
            await route.aclose()


def test_the_route_is_configured_like_any_payout_adapter(tmp_path: Path) -> None:
    key = jws.generate_key()
    (tmp_path / "mojaloop").mkdir()
    (tmp_path / "mojaloop" / "jws-signing-key.pem").write_bytes(key.as_pem(private=True))
    settings = payout_route("http://127.0.0.1:4040", tmp_path, "hub-7")
    assert settings.fallback_fsp == GATEWAY_MEMBER
    route = adapter_from_config(settings.payout_adapters[GATEWAY_MEMBER])
    assert isinstance(route, EkashRoute) and payer_of(route) is route.payer
    assert route.payer.config.signing_key is not None and route.payer.config.fsp_id == "inzira"
    assert route.payer.config.hub_fsp_id == "hub-7"
    assert (tmp_path / ROUTE_FILE).exists()
    route.state.close()
    for broken in ({"kind": "mojaloop", "hub_url": "http://x"},
                   {"kind": "mojaloop", "fsp_id": "inzira", "hub_url": "http://x", "signing_key_file": "/nowhere"},
                   {"kind": "mojaloop", "fsp_id": "inzira", "hub_url": "http://x", "clock_skew_ms": "soon"}):
        with pytest.raises(PayoutConfigError):
            adapter_from_config(broken)
