"""The FX provider's desk quotes only from dated, fresh reference rates, over real HTTP with a clock the test moves:
a rates file without a real ``as_of`` time (or dated in the future) is refused at load, naming the field; past the
maximum age every quote is 503 2040; a new file is picked up without a restart, and a broken one is logged while
the table in use is kept. The demo's own table is re-stamped, so the demo quotes however long it runs."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from inzira.api.server import serve_in_thread
from inzira.fx.app import fx_app
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import HOUR_MS, RATES_AGE_MAX_MS, RELOAD_CHECK_MS, RateSource
from inzira.fx.rates import RateError, RateTable, time_text
from inzira.node.custody import QuoteKey
from tests.fx.conftest import CHAIN_ID, FX_KEY, FX_MEMBER, QUOTES, T0_MS, TOKENS, Clock, Served

ASK = {"for_member": "eurosend", "source_currency": "EUR", "target_currency": "RWF", "source_amount_minor": 100_00}
DAY_MS = 24 * HOUR_MS


def _publish(path: Path, as_of: object, eur: str = "1585.40") -> None:
    """As a reference feed publishes: a whole new file renamed over the old one."""
    doc: dict[str, object] = {"rwf_per_unit": {"RWF": "1", "EUR": eur}}
    if as_of is not None:
        doc["as_of"] = as_of
    _replace(path, json.dumps(doc))


def _replace(path: Path, text: str) -> None:
    fresh = path.with_suffix(".new")
    fresh.write_text(text)
    os.replace(fresh, path)


@contextmanager
def _desk_at(rates: RateSource) -> Iterator[Served]:
    clock = Clock()
    desk = FxDesk(QuoteKey(FX_MEMBER, CHAIN_ID, FX_KEY), rates)
    server, _port = serve_in_thread(fx_app(desk, TOKENS, clock))
    try:
        yield Served(server.base_url, desk, clock)
    finally:
        server.stop()


def _quote(served: Served) -> dict:
    with served.http(TOKENS["eurosend"]) as http:
        answer = http.post(QUOTES, json=ASK)
    assert answer.status_code == 201, answer.text
    return answer.json()


@pytest.mark.parametrize(("as_of", "ms"), [
    ("2026-09-21T14:00:00Z", 1_789_999_200_000),  # 13 min 20 s before T0_MS
    ("2026-09-21T16:00:00+02:00", 1_789_999_200_000),
    ("2026-09-21t14:00:00.250z", 1_789_999_200_250),
])
def test_a_rates_file_is_dated_by_an_rfc3339_time_with_an_offset(tmp_path: Path, as_of: str, ms: int) -> None:
    path = tmp_path / "rates.json"
    _publish(path, as_of)
    table = RateTable.load(path, T0_MS)
    assert table.as_of_ms == ms and table.as_of == "2026-09-21T14:00:00Z" and not table.demo


@pytest.mark.parametrize("as_of", [
    None, "", "demo", "2026-09-21", "2026-09-21T14:00:00", "2026-09-21 14:00:00Z", "2026-02-30T14:00:00Z",
    "2026-09-21T14:00:00+25:00", "2026-09-21T24:00:00Z", "\uff12026-09-21T14:00:00Z", "2026-09-21T14:00:00.1234567Z",
    1_790_000_000, ["2026-09-21T14:00:00Z"],
])
def test_a_rates_file_without_a_real_time_is_refused_naming_as_of(tmp_path: Path, as_of: object) -> None:
    path = tmp_path / "rates.json"
    _publish(path, as_of)
    with pytest.raises(RateError) as refused:
        RateSource.file(path, T0_MS)
    assert "as_of" in str(refused.value) and str(path) in str(refused.value)


def test_a_rates_file_dated_in_the_future_is_refused_beyond_the_clocks_skew(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    _publish(path, time_text(T0_MS + 4 * 60_000))
    assert RateSource.file(path, T0_MS).current.as_of_ms == T0_MS // 1000 * 1000 + 4 * 60_000
    _publish(path, time_text(T0_MS + 6 * 60_000))
    with pytest.raises(RateError, match="as_of .* ahead of this desk's clock"):
        RateSource.file(path, T0_MS)


def test_past_the_maximum_age_every_quote_is_refused_with_503_2040(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    _publish(path, time_text(T0_MS))
    with _desk_at(RateSource.file(path, T0_MS)) as served:
        served.clock.now_ms = T0_MS + RATES_AGE_MAX_MS  # the last moment the table is fresh enough
        assert _quote(served)["rates_as_of"] == time_text(T0_MS)
        served.clock.now_ms = T0_MS + RATES_AGE_MAX_MS + 5 * HOUR_MS
        with served.http(TOKENS["eurosend"]) as http:
            refused = http.post(QUOTES, json=ASK)
    assert refused.status_code == 503 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == 2040 and refused.json()["title"] == "FX rates out of date"
    assert refused.json()["detail"] == (f"FX rates are 29 h old (as of {time_text(T0_MS)}); the provider has not "
                                        "published fresh rates")


def test_a_new_rates_file_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "rates.json"
    _publish(path, time_text(T0_MS))
    with _desk_at(RateSource.file(path, T0_MS)) as served:
        served.clock.now_ms = T0_MS + 2 * DAY_MS
        with served.http(TOKENS["eurosend"]) as http:
            assert http.post(QUOTES, json=ASK).status_code == 503
        before = _quote_after_publishing(served, path, "1600.00")
        assert before["mid_rate"] == "1600.00" and before["rates_as_of"] == time_text(T0_MS + 2 * DAY_MS)
        signed_then = before["signed_quote"]
        _publish(path, time_text(served.clock.now_ms), "1610.00")
        assert _quote(served)["mid_rate"] == "1600.00"  # looked at no more than every RELOAD_CHECK_MS
        served.clock.now_ms += RELOAD_CHECK_MS
        assert _quote(served)["mid_rate"] == "1610.00"
    assert signed_then == before["signed_quote"]  # a quote signed before carries its own rate


def _quote_after_publishing(served: Served, path: Path, eur: str) -> dict:
    _publish(path, time_text(served.clock.now_ms), eur)
    served.clock.now_ms += RELOAD_CHECK_MS
    return _quote(served)


@pytest.mark.parametrize("broken", [
    "{not json", json.dumps({"rwf_per_unit": {"RWF": "1", "EUR": "1585.40"}}),
    json.dumps({"rwf_per_unit": {"RWF": "1", "EUR": "-5"}, "as_of": "2026-09-21T14:00:00Z"}),
    json.dumps({"rwf_per_unit": {"RWF": "1", "EUR": "1700"}, "as_of": "2027-01-01T00:00:00Z"}),  # in the future
    "[" * 20_000 + "]" * 20_000,  # json.loads raised RecursionError: a 500 to a quote, and nothing logged
])
def test_a_broken_new_file_is_logged_and_the_table_in_use_kept(tmp_path: Path, broken: str,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "rates.json"
    _publish(path, time_text(T0_MS))
    with _desk_at(RateSource.file(path, T0_MS)) as served, caplog.at_level(logging.WARNING, "inzira.fx.rate_source"):
        _replace(path, broken)
        served.clock.now_ms += RELOAD_CHECK_MS
        kept = _quote(served)
        assert (kept["mid_rate"], kept["rates_as_of"]) == ("1585.40", time_text(T0_MS))
        assert "new rates refused, quoting from the rates as of" in caplog.text and str(path) in caplog.text
        path.unlink()  # gone too: still the table in use
        served.clock.now_ms += RELOAD_CHECK_MS
        assert _quote(served)["mid_rate"] == "1585.40"
        assert _quote_after_publishing(served, path, "1590.00")["mid_rate"] == "1590.00"


def test_the_demo_table_is_restamped_and_quotes_however_long_the_demo_runs() -> None:
    with _desk_at(RateSource.demo(T0_MS)) as served:
        for day in (0, 1, 7, 30, 400):
            served.clock.now_ms = T0_MS + day * DAY_MS + 13 * HOUR_MS
            shown = _quote(served)["rates_as_of"]
            stamp_ms = served.desk.rates.current.as_of_ms
            assert shown == f"{time_text(stamp_ms)} (demo rates)"
            assert 0 <= served.clock.now_ms - stamp_ms < RATES_AGE_MAX_MS // 2


def test_a_rates_file_with_an_unknown_currency_is_refused_naming_the_file(tmp_path: Path) -> None:
    """The refusal said "unknown currency 'XYZ'" without the file it came from, unlike every other fault."""
    path = tmp_path / "rates.json"
    _replace(path, json.dumps({"rwf_per_unit": {"RWF": "1", "XYZ": "5"}, "as_of": time_text(T0_MS)}))
    with pytest.raises(RateError) as refused:
        RateSource.file(path, T0_MS)
    assert str(path) in str(refused.value) and "XYZ" in str(refused.value)
