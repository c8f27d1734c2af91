"""The look-up allowance: sized to the declared volume, a burst then an even refill, exact Retry-After; the
registration allowance; and the operator's directory.json, which declares the volumes and grants allowances."""

from __future__ import annotations

import json

import pytest

from inzira.directory.deployment import DirectoryConfigError, load_settings
from inzira.directory.limiter import AllowanceLimiter
from inzira.directory.settings import DAY_MS, Allowance, DirectorySettings


class Clock:
    def __init__(self) -> None:
        self.now_ms = 1_790_000_000_000

    def __call__(self) -> int:
        return self.now_ms


def test_allowance_follows_the_declared_volume() -> None:
    settings = DirectorySettings(declared_daily_transfers={"eurosend": 50_000, "tiny": 1}, default_daily_transfers=1_000,
                                 lookups_per_transfer=3, burst_window_s=900, burst_min=20)
    eurosend = settings.allowance("eurosend")
    assert (eurosend.per_day, eurosend.burst) == (150_000, 1_563)  # 15 minutes of 150,000 a day, rounded up
    assert settings.allowance("someone").per_day == 3_000
    assert settings.allowance("tiny").burst == 20  # never below the minimum burst


def test_a_burst_then_one_look_up_per_interval() -> None:
    clock = Clock()
    settings = DirectorySettings(declared_daily_transfers={"m": 8}, lookups_per_transfer=3, burst_min=2)
    limiter = AllowanceLimiter(settings.allowance, clock)  # 24 a day: one per hour
    assert [limiter.take("m") for _ in range(2)] == [0, 0]
    assert limiter.take("m") == 3_600  # a whole hour to wait
    clock.now_ms += DAY_MS // 24 - 1_000
    assert limiter.take("m") == 1  # one second short
    clock.now_ms += 1_000
    assert limiter.take("m") == 0
    assert limiter.take("m") == 3_600
    assert limiter.refused() == {"m": 3}
    assert limiter.take("other") == 0  # buckets are per member
    clock.now_ms += 10 * DAY_MS  # a long pause refills no more than the burst
    assert [limiter.take("m") for _ in range(3)] == [0, 0, 3_600]
    clock.now_ms -= 60_000  # a clock that steps back refills nothing
    assert limiter.take("m") == 3_600


def test_the_demo_ekash_gateway_looks_up_at_a_senders_volume() -> None:
    # Every eKash payer paying Inzira costs the gateway a look-up: at the default 1,000 transfers a day, a burst
    # of about 30 payments exhausted it (2003 to the payer FSP).
    settings = DirectorySettings()
    assert settings.allowance("ekash") == settings.allowance("eurosend")
    assert settings.allowance("ekash").burst > 1_000


def test_registrations_have_a_default_allowance_and_the_operator_grants_a_bulk_onboarding_more(tmp_path) -> None:
    assert DirectorySettings().registration_allowance("mobimo") == Allowance(per_day=20_000, burst=2_000)
    path = tmp_path / "directory.json"
    path.write_text('{"registration_allowances": {"mobimo": {"per_day": 500000, "burst": 50000}}}')
    settings = load_settings(path)
    assert settings.registration_allowance("mobimo") == Allowance(500_000, 50_000)
    assert settings.registration_allowance("ubumwe") == Allowance(20_000, 2_000)


@pytest.mark.parametrize("text", ["{not json", "[]", '"x"', '{"declared_daily_transfers": {"eurosend": true}}',
                                  '{"account_holder_apis": {"mobimo": "http://x"}}',
                                  '{"account_holder_apis": {"mobimo": {"kind": "momo-http", "base_url": "http://x"}}}',
                                  '{"account_holder_apis": {"mobimo": {"base_url": "http://10.0.0.7:8080/momo"}}}',
                                  '{"account_holder_apis": {"mobimo": {"base_url": ["https://x"]}}}',
                                  '{"account_holder_apis": {"mobimo": {"base_url": "10.0.0.7:8080"}}}',
                                  '{"registration_allowances": {"mobimo": {"per_day": 10}}}',
                                  '{"registration_allowances": {"mobimo": {"per_day": 10, "burst": 0}}}',
                                  '{"registration_allowances": {"mobimo": {"per_day": "10", "burst": 1}}}',
                                  '{"registration_allowances": [1]}',
                                  "[" * 20_000 + "]" * 20_000])  # RecursionError before
def test_a_directory_json_the_operator_cannot_use_is_refused_with_its_name(tmp_path, text) -> None:
    """The operator's peer refuses to start on such a file, saying which file and why (a ValueError its start
    reports), never with a JSON parser's traceback."""
    path = tmp_path / "directory.json"
    path.write_text(text)
    with pytest.raises(DirectoryConfigError, match="directory.json"):
        load_settings(path)


def test_an_account_holder_api_over_tls_or_on_this_host_is_taken(tmp_path) -> None:
    path = tmp_path / "directory.json"
    apis = {"mobimo": {"kind": "momo-http", "base_url": "https://momo.example"},
            "ubumwe": {"kind": "momo-http", "base_url": "http://127.0.0.1:9100"}}
    path.write_text(json.dumps({"account_holder_apis": apis}))
    assert load_settings(path).account_holder_apis == apis
