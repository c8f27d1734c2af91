"""When the FX provider's desk refuses to quote because its reference rates are too old, the remittance and QR
services, which ask it over HTTP, answer their own callers 503 with the desk's code (2040) and its reason: not a
502 as for a desk that answered wrongly, and never a quote at rates nobody checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.demo.app import Demo
from inzira.demo.setup import load_api_keys
from inzira.fx.rate_source import HOUR_MS, RateSource
from inzira.fx.rates import DEMO_RWF_PER_UNIT, time_text
from inzira.node.signer import wall_clock_ms
from tests.running_demo import demo_http, running_demo

REMIT_ASK = {"receiver_msisdn": "+250788123456", "amount_type": "SEND", "amount_minor": 100_00, "currency": "EUR"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory, "stale-rates") as running:
        yield running


def _refused_as_stale(answer: object) -> None:
    assert answer.status_code == 503, answer.text  # type: ignore[attr-defined]
    problem = answer.json()  # type: ignore[attr-defined]
    assert problem["code"] == 2040 and "FX rates are 30 h old" in problem["detail"], problem
    assert "the provider has not published fresh rates" in problem["detail"]


def test_a_desk_with_stale_rates_is_a_503_2040_for_remittance_and_qr_callers(demo: Demo, tmp_path: Path) -> None:
    assert demo.providers is not None and demo.qr_demo is not None
    desk, customers = demo.providers.fx_desk, demo.qr_demo
    now_ms = wall_clock_ms()
    path = tmp_path / "rates.json"
    path.write_text(json.dumps({"as_of": time_text(now_ms - 30 * HOUR_MS), "rwf_per_unit": DEMO_RWF_PER_UNIT}))
    demo_rates, desk.rates = desk.rates, RateSource.file(path, now_ms)
    try:
        with demo_http(demo, load_api_keys(demo.data_dir)["eurosend"]) as remit:
            _refused_as_stale(remit.post("/v1/remit/quotes", json=REMIT_ASK))
        with demo_http(demo, customers.merchant_token) as merchant:
            bill = merchant.post(f"/v1/qr/merchants/{customers.merchant_id}/bills", json={"amount_minor": 5_000})
            assert bill.status_code == 201, bill.text
        with demo_http(demo, customers.wallet_token) as wallet:
            _refused_as_stale(wallet.post(f"/v1/qr/wallets/{customers.wallet_id}/quotes",
                                          json={"payload": bill.json()["payload"]}))
    finally:
        desk.rates = demo_rates
    with demo_http(demo, load_api_keys(demo.data_dir)["eurosend"]) as remit:
        quoted = remit.post("/v1/remit/quotes", json=REMIT_ASK)
    assert quoted.status_code == 201, quoted.text
    assert quoted.json()["exchange_rate"]["rates_as_of"].endswith(" (demo rates)")
