"""The simulator's HTTP contract, raw and through the adapter: auth, bad input, limits."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from momo_helpers import FLOAT_MINOR, JEANNE, adapter_for, raw_headers, transfer_body

from inzira.remit.payout import (
    PayoutConfigError,
    PayoutNotFoundError,
    PayoutStatus,
    PayoutUnavailableError,
    adapter_from_config,
)
from inzira.http import HttpProblem
from inzira.sim.momo import Behaviour, ForcedOutcome, MomoSimConfig, RunningMomoSim, serve

pytestmark = pytest.mark.anyio
TRANSFER = "/disbursement/v1_0/transfer"


def test_every_call_needs_the_subscription_key_and_a_token(sim: RunningMomoSim) -> None:
    good = raw_headers(sim)
    balance = f"{sim.base_url}/disbursement/v1_0/account/balance"
    assert httpx.get(balance, headers=good).json() == {"availableBalance": "1000000", "currency": "RWF"}
    no_token = {k: v for k, v in good.items() if k != "Authorization"}
    assert httpx.get(balance, headers=no_token).status_code == 401
    assert httpx.get(balance, headers={**good, "Authorization": "Bearer forged"}).status_code == 401
    assert httpx.get(balance, headers={**good, "Ocp-Apim-Subscription-Key": "wrong"}).status_code == 401
    wrong_env = httpx.get(balance, headers={**good, "X-Target-Environment": "mtnuganda"})
    assert (wrong_env.status_code, wrong_env.json()["code"]) == (500, "NOT_ALLOWED_TARGET_ENVIRONMENT")
    token_url = f"{sim.base_url}/disbursement/token/"
    key = {"Ocp-Apim-Subscription-Key": sim.config.subscription_key}
    assert httpx.post(token_url, headers=key, auth=(sim.config.api_user, "wrong")).status_code == 401
    assert httpx.post(token_url, auth=(sim.config.api_user, sim.config.api_key)).status_code == 401
    unauthorised_headers = {**no_token, "X-Reference-Id": str(uuid.uuid4())}
    unauthorised = httpx.post(f"{sim.base_url}{TRANSFER}", headers=unauthorised_headers, json=transfer_body())
    assert unauthorised.status_code == 401
    assert sim.admin.stats().transfers == 0


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/admin/wallets", {"msisdn": "250788000077", "given_name": "Mallory", "family_name": "X",
                                "balance_minor": 10**9}),
    ("PUT", "/admin/float", {"balance_minor": 10**12}),
    ("PUT", "/admin/behaviour", {"failure_rate": 1.0}),
    ("GET", f"/admin/wallets/{JEANNE}", None),
    ("GET", "/admin/stats", None),
])
def test_the_admin_api_needs_the_admin_token(sim: RunningMomoSim, method: str, path: str, body: Any) -> None:
    """Whoever reaches the port could otherwise mint wallets, refill the float or make every payout fail."""
    for headers in ({}, {"Authorization": "Bearer forged"}, raw_headers(sim),
                    {"Authorization": f"Basic {sim.config.admin_token}"}):
        answer = httpx.request(method, f"{sim.base_url}{path}", json=body, headers=headers)
        assert answer.status_code == 401 and answer.json()["code"] == "UNAUTHORIZED", answer.text
    assert sim.admin.wallet("250788000077") is None and sim.admin.float_minor() == FLOAT_MINOR
    assert sim.admin.behaviour() == Behaviour()
    assert MomoSimConfig().admin_token != MomoSimConfig().admin_token  # a fresh random token per simulator


async def test_adapter_refuses_to_work_with_wrong_credentials(sim: RunningMomoSim) -> None:
    for wrong in ({"api_key": "stolen?"}, {"subscription_key": "other"}, {"target_environment": "sandbox"}):
        async with adapter_for(sim, **wrong) as adapter:
            with pytest.raises(PayoutConfigError):
                await adapter.lookup(JEANNE)


async def test_adapter_caches_its_token_and_renews_it_when_refused() -> None:
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR, tokens_max=1)) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        async with adapter_for(sim) as adapter:
            for _ in range(3):
                assert await adapter.lookup(JEANNE) is not None
            assert sim.admin.stats().tokens_issued == 1
            raw_headers(sim)  # another partner's token evicts ours (the simulator holds one)
            assert await adapter.lookup(JEANNE) is not None  # 401, new token, same call again
        assert sim.admin.stats().tokens_issued == 3


BAD_TRANSFERS: list[tuple[str, dict[str, Any] | bytes, dict[str, str], str]] = [
    ("negative amount", transfer_body(amount="-5"), {}, "INVALID_AMOUNT"),
    ("zero amount", transfer_body(amount="0"), {}, "INVALID_AMOUNT"),
    ("words for an amount", transfer_body(amount="abc"), {}, "INVALID_AMOUNT"),
    ("exponent notation", transfer_body(amount="1e3"), {}, "INVALID_AMOUNT"),
    ("decimals RWF lacks", transfer_body(amount="1.5"), {}, "INVALID_AMOUNT"),
    ("amount as a number", {**transfer_body(), "amount": 1500}, {}, "INVALID_BODY"),
    ("wrong currency", transfer_body(currency="EUR"), {}, "INVALID_CURRENCY"),
    ("plus in the MSISDN", transfer_body(msisdn="+250788123456"), {}, "INVALID_PAYEE"),
    ("short MSISDN", transfer_body(msisdn="0788"), {}, "INVALID_PAYEE"),
    ("e-mail payee", {**transfer_body(), "payee": {"partyIdType": "EMAIL", "partyId": "a@b.rw"}}, {}, "INVALID_PAYEE"),
    ("no payee", {k: v for k, v in transfer_body().items() if k != "payee"}, {}, "INVALID_BODY"),
    ("not JSON", b"amount=1500", {}, "INVALID_BODY"),
    ("nested too deep", b'{"amount": "1500", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}", {}, "INVALID_BODY"),
    ("message too long", {**transfer_body(), "payerMessage": "x" * 161}, {}, "INVALID_BODY"),
    ("reference not a UUID", transfer_body(), {"X-Reference-Id": "remit-1"}, "INVALID_REFERENCE_ID"),
    ("reference a UUID v1", transfer_body(), {"X-Reference-Id": str(uuid.uuid1())}, "INVALID_REFERENCE_ID"),
    ("callback not http", transfer_body(), {"X-Callback-Url": "ftp://127.0.0.1/cb"}, "INVALID_CALLBACK_URL"),
]


@pytest.mark.parametrize(("case", "body", "extra", "code"), BAD_TRANSFERS, ids=[c[0] for c in BAD_TRANSFERS])
def test_bad_transfers_get_400_and_change_nothing(
    sim: RunningMomoSim, case: str, body: dict[str, Any] | bytes, extra: dict[str, str], code: str
) -> None:
    headers = {**raw_headers(sim), "X-Reference-Id": str(uuid.uuid4()), **extra}
    if isinstance(body, bytes):
        response = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, content=body)
    else:
        response = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, json=body)
    assert response.status_code == 400, case
    assert response.json()["code"] == code and len(response.json()["message"]) > 10
    wallet = sim.admin.wallet(JEANNE)
    assert wallet is not None and wallet.balance_minor == 0
    assert (sim.admin.stats().transfers, sim.admin.float_minor()) == (0, FLOAT_MINOR)
    if "X-Reference-Id" not in extra:
        status = httpx.get(f"{sim.base_url}{TRANSFER}/{headers['X-Reference-Id']}", headers=headers)
        assert status.status_code == 404


async def test_adapter_reports_refused_payouts_as_failed(sim: RunningMomoSim) -> None:
    async with adapter_for(sim) as adapter:
        cases = [
            (0, "RWF", JEANNE, "INVALID_AMOUNT"),
            (-5, "RWF", JEANNE, "INVALID_AMOUNT"),
            (100, "EUR", JEANNE, "INVALID_CURRENCY"),
            (100, "RWF", "12", "INVALID_PAYEE"),
        ]
        for amount_minor, currency, msisdn, reason in cases:
            ref = str(uuid.uuid4())
            state = await adapter.start(ref, msisdn, amount_minor, currency, "bad")
            assert (state.status, state.reason) == (PayoutStatus.FAILED, reason)
            with pytest.raises(PayoutNotFoundError):
                await adapter.status(ref)
        with pytest.raises(ValueError, match="UUID"):
            await adapter.start("remit-1", JEANNE, 100, "RWF", "bad")
    assert sim.admin.stats().transfers == 0


def test_oversized_bodies_are_refused_before_reading(sim: RunningMomoSim) -> None:
    headers = {**raw_headers(sim), "X-Reference-Id": str(uuid.uuid4())}
    big = {**transfer_body(), "externalId": "x" * sim.config.body_bytes_max}
    response = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, json=big)
    assert (response.status_code, response.json()["code"]) == (413, 3104)
    assert sim.admin.stats().transfers == 0


async def test_pending_queue_is_bounded() -> None:
    held = "250788000001"
    behaviour = Behaviour(forced=(ForcedOutcome(held, "pending"),))
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR, pending_max=2, behaviour=behaviour)) as sim:
        async with adapter_for(sim) as adapter:
            for _ in range(2):
                assert (await adapter.start(str(uuid.uuid4()), held, 10, "RWF", "q")).status is PayoutStatus.PENDING
            with pytest.raises(PayoutUnavailableError, match="503"):
                await adapter.start(str(uuid.uuid4()), held, 10, "RWF", "q")
        headers = {**raw_headers(sim), "X-Reference-Id": str(uuid.uuid4())}
        response = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, json=transfer_body())
        assert (response.status_code, response.json()["code"]) == (503, "SERVICE_UNAVAILABLE")
        assert sim.admin.stats().transfers == 2


def test_wallets_are_bounded_and_unique() -> None:
    with serve(MomoSimConfig(wallets_max=1)) as sim:
        sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        with pytest.raises(HttpProblem) as duplicate:
            sim.admin.create_wallet(JEANNE, "Jeanne", "Uwase")
        with pytest.raises(HttpProblem) as full:
            sim.admin.create_wallet("250788000009", "Other", "Person")
        with pytest.raises(HttpProblem) as bad:
            sim.admin.create_wallet("+250788000009", "Other", "Person")
        assert (duplicate.value.status, full.value.status, bad.value.status) == (409, 503, 400)
        assert sim.admin.wallet("250788000009") is None


async def test_unreachable_operator_is_unavailable_not_failed() -> None:
    with serve(MomoSimConfig()) as sim:
        config = sim.adapter_config(retries_max=1, retry_backoff_ms=5, retry_backoff_max_ms=5)
    # The simulator has stopped: its port now refuses connections.
    async with adapter_from_config(config) as adapter:
        with pytest.raises(PayoutUnavailableError):
            await adapter.start(str(uuid.uuid4()), JEANNE, 100, "RWF", "down")
        with pytest.raises(PayoutUnavailableError):
            await adapter.wait_final(str(uuid.uuid4()), 200)


def test_reusing_a_reference_id_is_409_even_with_the_same_body(sim: RunningMomoSim) -> None:
    headers = {**raw_headers(sim), "X-Reference-Id": str(uuid.uuid4())}
    first = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, json=transfer_body())
    again = httpx.post(f"{sim.base_url}{TRANSFER}", headers=headers, json=transfer_body())
    assert (first.status_code, first.content) == (202, b"")
    assert (again.status_code, again.json()["code"]) == (409, "RESOURCE_ALREADY_EXIST")
    status = httpx.get(f"{sim.base_url}{TRANSFER}/{headers['X-Reference-Id']}", headers=headers).json()
    assert status["payee"] == {"partyIdType": "MSISDN", "partyId": JEANNE} and status["amount"] == "1500"
    assert sim.admin.stats().transfers == 1
