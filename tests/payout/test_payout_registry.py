"""Adapters come from configuration alone; reference ids are derived, stable UUIDs."""

from __future__ import annotations

import uuid

import pytest

from inzira.remit.payout import KINDS, MomoHttpAdapter, PayoutConfigError, adapter_from_config, reference_id_from

GOOD = {
    "kind": "momo-http",
    "base_url": "https://sandbox.momodeveloper.mtn.com",
    "subscription_key": "key",
    "api_user": "5f0c3a52-8d7e-4b1a-9f36-2c1d0e4b7a91",
    "api_key": "secret",
    "target_environment": "sandbox",
}


@pytest.mark.anyio
async def test_a_known_kind_builds_its_adapter() -> None:
    assert "momo-http" in KINDS
    async with adapter_from_config(GOOD) as adapter:
        assert isinstance(adapter, MomoHttpAdapter)


@pytest.mark.parametrize(
    "config",
    [
        {**GOOD, "kind": "carrier-pigeon"},
        {k: v for k, v in GOOD.items() if k != "kind"},
        {k: v for k, v in GOOD.items() if k != "api_key"},
        {**GOOD, "base_url": "ftp://operator"},
        {**GOOD, "request_timeout_ms": 0},
        {**GOOD, "retries_max": 1_000},
        {**GOOD, "payer_message": "x" * 161},
        {**GOOD, "unexpected": True},
    ],
    ids=["unknown kind", "no kind", "no api key", "not http", "0 timeout", "endless retries", "long message", "extra"],
)
def test_bad_configuration_is_refused_with_a_reason(config: dict[str, object]) -> None:
    with pytest.raises(PayoutConfigError) as refused:
        adapter_from_config(config)
    assert str(refused.value)


def test_reference_ids_are_stable_uuid4() -> None:
    ref = reference_id_from(b"transfer-1")
    assert ref == reference_id_from(b"transfer-1") != reference_id_from(b"transfer-2")
    assert uuid.UUID(ref).version == 4 and str(uuid.UUID(ref)) == ref
