"""Page helpers: times in UTC and Kigali (CAT, UTC+2, no daylight saving), labels, escaping."""

from __future__ import annotations

from inzira.web.rendering import ENV, kind_label, short_hash, time_iso, time_kigali, time_utc

NEW_YEAR_2026_MS = 1_767_225_600_000  # 2026-01-01 00:00:00 UTC
MID_YEAR_2026_MS = 1_782_864_000_000  # 2026-07-01 00:00:00 UTC


def test_times_in_utc_and_kigali():
    assert time_utc(NEW_YEAR_2026_MS) == "2026-01-01 00:00:00 UTC"
    assert time_kigali(NEW_YEAR_2026_MS) == "2026-01-01 02:00:00 CAT"
    assert time_kigali(MID_YEAR_2026_MS) == "2026-07-01 02:00:00 CAT"  # the same offset all year
    assert time_iso(NEW_YEAR_2026_MS + 5) == "2026-01-01T00:00:00.005+00:00"


def test_labels():
    assert kind_label("OpenAccount") == "Open account"
    assert kind_label("PendingTransfer") == "Pending transfer"
    assert kind_label("Transfer") == "Transfer"
    assert short_hash("ab" * 32) == "abababababab…" and short_hash("abc") == "abc"


def test_autoescape_is_on():
    assert ENV.from_string("{{ x }}").render(x="<script>") == "&lt;script&gt;"
