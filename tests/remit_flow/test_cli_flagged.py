"""`inzira remit flagged` against the running API: a receiving FSP's flagged payouts as a table, a page at a
time with the next page's command printed, as JSON, a clear sentence when none match, and clean refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from inzira.cli import common
from inzira.cli.main import app
from tests.remit_flow.conftest import Flow
from tests.remit_flow.test_flagged_payouts import FUTURE_MS, _flag

WIDE = 300  # columns: the table's cells unwrapped, whatever the terminal


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common.console, "_width", WIDE)


def _run(flow: Flow, *args: str):
    return CliRunner().invoke(app, ["remit", "flagged", *args, "--url", flow.base_url, "--data", str(flow.data_dir)])


def test_lists_the_flagged_payouts_a_page_at_a_time(flow: Flow, wide: None) -> None:
    reason = "PAID_AFTER_ABORT_3303"
    made = [_flag(flow, "mobimo", FUTURE_MS + 100 + n, reason) for n in range(3)]  # newest last
    first = _run(flow, "--fsp", "mobimo", "--limit", "2", "--status", "successful")
    assert first.exit_code == 0, first.output
    assert "mobimo's flagged payouts:" in first.output and "in all, newest first" in first.output
    assert first.output.count("SUCCESSFUL (recover)") == 2 and reason in first.output
    assert f"pending {made[2][:16]}" in first.output and f"pending {made[1][:16]}" in first.output
    assert "1,499,000 RWF" in first.output and "+250780000001" in first.output
    more = next(line for line in first.output.splitlines() if line.startswith("More: "))
    command = more.removeprefix("More: inzira ").split()
    assert command[:4] == ["remit", "flagged", "--fsp", "mobimo"] and "--status" in command and "--limit" in command
    second = CliRunner().invoke(app, [*command, "--url", flow.base_url, "--data", str(flow.data_dir)])
    assert second.exit_code == 0, second.output
    assert f"pending {made[0][:16]}" in second.output and f"pending {made[2][:16]}" not in second.output


def test_json_and_an_empty_listing(flow: Flow) -> None:
    made = _flag(flow, "ubumwe", FUTURE_MS + 200, "PAID_AFTER_ABORT_TERMS_FORGOTTEN")
    as_json = _run(flow, "--fsp", "ubumwe", "--reason", "PAID_AFTER_ABORT_TERMS", "--json")
    assert as_json.exit_code == 0, as_json.output
    assert f'"pending_id": "{made}"' in as_json.output and '"count": ' in as_json.output
    empty = _run(flow, "--fsp", "mobimo", "--reason", "NO_SUCH_REASON")
    assert empty.exit_code == 0, empty.output
    assert empty.output.strip() == ("No flagged payouts for mobimo with a reason starting NO_SUCH_REASON: nothing to "
                                    "recover or look into.")


def test_what_the_server_wrote_is_shown_escaped(flow: Flow, wide: None) -> None:
    """An operator's failure reason is its own text: a terminal escape in it is printed as text."""
    _flag(flow, "mobimo", FUTURE_MS + 300, "PAYEE_\x1b[2JGONE", status="FAILED")
    shown = _run(flow, "--fsp", "mobimo", "--status", "FAILED", "--reason", "PAYEE_")
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output and "PAYEE_\\x1b[2JGONE" in shown.output


def test_refusals_are_sentences_and_exit_statuses(flow: Flow, tmp_path: Path) -> None:
    sending = _run(flow, "--fsp", "eurosend")
    assert sending.exit_code == 1 and "refused" in sending.output and "4300" in sending.output
    assert "Traceback" not in sending.output
    assert _run(flow, "--fsp", "mobimo", "--status", "PENDING").exit_code == 2
    assert _run(flow, "--fsp", "mobimo", "--limit", "201").exit_code == 2
    bad = _run(flow, "--fsp", "mobimo", "--reason", "PAID%")
    assert bad.exit_code == 1 and "3100" in bad.output
    no_token = CliRunner().invoke(app, ["remit", "flagged", "--fsp", "mobimo", "--url", flow.base_url,
                                        "--data", str(tmp_path)])
    assert no_token.exit_code == 2 and "give --token" in no_token.output
    away = CliRunner().invoke(app, ["remit", "flagged", "--fsp", "mobimo", "--token", "t",
                                    "--url", "http://127.0.0.1:9"])
    assert away.exit_code == 1 and "is the network running" in away.output
