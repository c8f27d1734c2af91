"""`inzira bench remit` end to end on a small run: every remittance completes (or is held, a namesake), the
list it screens against is the generated one, and every process's CPU is counted."""

from __future__ import annotations

from pathlib import Path

from inzira.bench import remit as bench_remit

REMITTANCES = 30
LIST_ENTRIES = 1_000


def test_a_small_run_reports_every_field(tmp_path: Path) -> None:
    result = bench_remit.run(REMITTANCES, concurrency=5, latency_ms=5, latency_max_ms=20, data_dir=tmp_path / "net",
                             sanctions_entries=LIST_ENTRIES)
    assert result["failed"] == 0, result["failures"]
    assert result["remittances"] + result["held"] == REMITTANCES
    assert result["list_entries"] == LIST_ENTRIES
    assert result["remittances_per_s"] > 0 and 0 < result["p50_ms"] <= result["p99_ms"]
    processes = result["cpu_ms_per_remittance"]
    assert set(processes) == {"server", "load (customers)", "fx desk", "operator mobimo", "operator ubumwe"}, processes
    assert processes["fx desk"] > 0  # the quotes were made (and signed) in the desk's own process
    assert result["server_cpu_ms_per_remittance"] == processes["server"] > 0
    assert result["all_cpu_ms_per_remittance"] >= result["server_cpu_ms_per_remittance"]
    assert "server thread remit-service" in result["server_threads_cpu_ms_per_remittance"]
    assert result["payout_latency_ms"] == [5, 20] and result["cores"] >= 1 and len(result["load_average"]) == 2
