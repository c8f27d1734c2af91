"""Constants and helpers shared by the payout tests (a unique module name, unlike conftest)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from inzira.remit.payout import PayoutAdapter, adapter_from_config
from inzira.sim.momo import RunningMomoSim

FLOAT_MINOR = 1_000_000
JEANNE = "250788123456"
UNKNOWN = "250788999999"
WAIT_MS = 10_000  # bound on every wait for a final status
# Fast retries keep failure-path tests short; the retry logic is the same.
FAST_RETRIES = {"retries_max": 2, "retry_backoff_ms": 10, "retry_backoff_max_ms": 50}


def adapter_for(sim: RunningMomoSim, **overrides: Any) -> PayoutAdapter:
    return adapter_from_config(sim.adapter_config(**{**FAST_RETRIES, **overrides}))


def raw_headers(sim: RunningMomoSim) -> dict[str, str]:
    """Headers of an authorised call, with a token fetched the way a partner does."""
    subscription = {"Ocp-Apim-Subscription-Key": sim.config.subscription_key}
    response = httpx.post(
        f"{sim.base_url}/disbursement/token/", headers=subscription, auth=(sim.config.api_user, sim.config.api_key)
    )
    response.raise_for_status()
    return {
        **subscription,
        "Authorization": f"Bearer {response.json()['access_token']}",
        "X-Target-Environment": sim.config.target_environment,
    }


def transfer_body(msisdn: str = JEANNE, amount: str = "1500", currency: str = "RWF") -> dict[str, Any]:
    return {
        "amount": amount,
        "currency": currency,
        "externalId": "ext-1",
        "payee": {"partyIdType": "MSISDN", "partyId": msisdn},
        "payerMessage": "test",
        "payeeNote": "test",
    }


def eventually(check: Callable[[], bool], timeout_ms: int = 5_000) -> bool:
    """Whether ``check`` becomes true within ``timeout_ms`` (for counters updated just after a reply)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
