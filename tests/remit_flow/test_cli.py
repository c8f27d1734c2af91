"""`inzira remit send` against the running API: disclosure, progress, receipt saved and verified offline."""

from __future__ import annotations

import io
import socket
import uuid
from pathlib import Path

import pytest
from click.testing import Result
from fastapi import FastAPI, Response
from rich.console import Console
from typer.testing import CliRunner

from inzira.cli.main import app
from inzira.cli.remit import EXIT_HELD, EXIT_NOT_PAID, _disclosure, new_steps
from inzira.http import HttpProblem
from inzira.remit.client import RemitClient
from inzira.sim.server import serve_app
from inzira.sim.momo import Behaviour, ForcedOutcome
from tests.remit_flow.conftest import Flow


def test_cli_send_saves_a_receipt_that_verifies(flow: Flow, tmp_path: Path) -> None:
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    runner = CliRunner()
    sent = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "150 EUR",
                               "--sender", "Marie Dupont", "--receiver-name", "Aline Mukamana", "--yes",
                               "--url", flow.base_url, "--data", str(flow.data_dir), "--out", str(tmp_path)])
    assert sent.exit_code == 0, sent.output
    assert "Total cost" in sent.output and "150.00 EUR" in sent.output and "A**** M*******" in sent.output
    assert "Rates as of" in sent.output and "(demo rates)" in sent.output  # the FX desk's table is the demo's
    receipts = list(tmp_path.glob("receipt-*.json"))
    assert len(receipts) == 1 and str(receipts[0]) in sent.output.replace("\n", "")
    checked = runner.invoke(app, ["remit", "verify-receipt", str(receipts[0]), "--data", str(flow.data_dir)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.count("valid") == 2 and "COMMITTED" in checked.output
    # As the README writes it: the genesis file itself, wherever it is kept.
    genesis = tmp_path / "genesis.json"
    genesis.write_bytes((flow.data_dir / "genesis.json").read_bytes())
    by_file = runner.invoke(app, ["remit", "verify-receipt", str(receipts[0]), "--genesis", str(genesis)])
    assert by_file.exit_code == 0 and by_file.output.count("valid") == 2, by_file.output


def test_cli_refuses_receipts_that_prove_nothing(flow: Flow, tmp_path: Path) -> None:
    runner = CliRunner()
    genesis = str(flow.data_dir / "genesis.json")
    for name, content in [("list.json", "[1, 2]"), ("empty.json", '{"ledger_receipts": []}'),
                          ("junk.json", '{"ledger_receipts": [7, {"receipt": "x"}]}'),
                          ("huge.json", '{"ledger_receipts": [{"receipt": {"result": {"code": %d}}}]}' % 2**70)]:
        path = tmp_path / name
        path.write_text(content)
        refused = runner.invoke(app, ["remit", "verify-receipt", str(path), "--genesis", genesis])
        assert refused.exit_code == 1 and "not valid" in refused.output, (name, refused.output)
    missing = runner.invoke(app, ["remit", "verify-receipt", str(path), "--genesis", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "cannot read the genesis" in missing.output


def test_cli_refuses_an_unknown_number_and_asks_before_sending(flow: Flow, tmp_path: Path) -> None:
    runner = CliRunner()
    common = ["--sender", "Marie Dupont", "--receiver-name", "X Y", "--url", flow.base_url,
              "--data", str(flow.data_dir), "--out", str(tmp_path)]
    unknown = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", "+250781111111",
                                  "--amount", "10 EUR", "--yes", *common])
    assert unknown.exit_code == 1 and "3204" in unknown.output
    number = flow.wallet()
    declined = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                   *common], input="n\n")
    assert declined.exit_code == 1 and "Send it?" in declined.output
    assert not list(tmp_path.glob("receipt-*.json"))


def test_cli_refuses_a_receipt_folder_that_does_not_exist_before_sending(flow: Flow, tmp_path: Path) -> None:
    number = flow.wallet()
    missing = tmp_path / "no-such-folder"
    sent = CliRunner().invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                    "--sender", "Marie Dupont", "--receiver-name", "X Y", "--yes",
                                    "--url", flow.base_url, "--data", str(flow.data_dir), "--out", str(missing)])
    assert sent.exit_code == 1 and isinstance(sent.exception, SystemExit), sent.output
    assert f"--out {missing} is not a folder" in sent.output.replace("\n", "")
    assert "transfer" not in sent.output and "Quote" not in sent.output


def test_cli_serve_names_a_links_file_that_is_not_json(tmp_path: Path) -> None:
    links = tmp_path / "links.json"
    links.write_text("fx_url = http://fx")
    refused = CliRunner().invoke(app, ["remit", "serve", "--peer", str(tmp_path), "--links", str(links)])
    assert refused.exit_code == 2 and isinstance(refused.exception, SystemExit), refused.output
    assert f"{links} is not JSON" in refused.output.replace("\n", "")


def test_each_receipt_command_names_the_other_for_the_other_kind_of_receipt(flow: Flow, tmp_path: Path) -> None:
    runner = CliRunner()
    genesis = str(flow.data_dir / "genesis.json")
    ledger = tmp_path / "ledger.json"
    ledger.write_text('{"format": "inzira-receipt/1", "tx_id": "00"}')
    remittance = tmp_path / "remittance.json"
    remittance.write_text('{"format": "inzira-remittance-receipt/1", "ledger_receipts": []}')
    wrong = runner.invoke(app, ["remit", "verify-receipt", str(ledger), "--genesis", genesis])
    assert wrong.exit_code == 1 and f"inzira receipt verify {ledger}" in wrong.output.replace("\n", ""), wrong.output
    wrong = runner.invoke(app, ["receipt", "verify", str(remittance), "--genesis", genesis])
    assert wrong.exit_code == 1, wrong.output
    assert f"inzira remit verify-receipt {remittance}" in wrong.output.replace("\n", ""), wrong.output


def test_cli_says_where_to_follow_a_held_transfer(flow: Flow, tmp_path: Path) -> None:
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    held = CliRunner().invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                    "--sender", "Mohammed Youssef Karzanithi", "--receiver-name", "Aline Mukamana",
                                    "--yes", "--url", flow.base_url, "--data", str(flow.data_dir),
                                    "--out", str(tmp_path)])
    assert held.exit_code == EXIT_HELD == 3, held.output  # not paid: a script must not take it for paid
    text = held.output.replace("\n", "")
    transfer_id = text.split("transfer ")[1].split(":")[0]
    assert "HELD" in text and "eurosend's compliance officer" in text
    assert f"{flow.base_url}/v1/remit/transfers/{transfer_id}" in text


def test_cli_names_the_rule_that_held_a_transfer(flow: Flow, tmp_path: Path) -> None:
    """A velocity hold was reported as "screening found a possible match", sending the officer's reader after a
    sanctions match that never was."""
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    with flow.client("eurosend") as client:
        for _ in range(5):  # the policy's velocity_transfers_max: the sixth within the window is held
            quote = client.quote(number, "SEND", 1000, "EUR")
            client.send(str(uuid.uuid4()), quote["quote_id"], customer, "Marie Dupont", "Aline Mukamana")
    held = CliRunner().invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                    "--sender", "Marie Dupont", "--sender-id", customer, "--receiver-name",
                                    "Aline Mukamana", "--yes", "--url", flow.base_url, "--data", str(flow.data_dir),
                                    "--out", str(tmp_path)], terminal_width=400)
    assert held.exit_code == EXIT_HELD, held.output
    text = " ".join(held.output.split())
    assert "transfer number 6 within 10 minutes" in text and "possible match" not in text, text


def test_cli_takes_what_people_type_and_names_the_next_step(flow: Flow, tmp_path: Path) -> None:
    """A spaced number, a member id in capitals, a URL with a trailing slash are taken; a URL without its
    scheme, a network that does not answer and a zero amount are refused saying what to do."""
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    spaced = f"{number[:4]} {number[4:7]} {number[7:10]} {number[10:]}"
    common = ["--sender", f"Marie Dupont {uuid.uuid4().hex[:6]}", "--receiver-name", "Aline Mukamana", "--yes",
              "--data", str(flow.data_dir), "--out", str(tmp_path)]
    runner = CliRunner()
    paid = runner.invoke(app, ["remit", "send", "--from", "EuroSend", "--to", spaced, "--amount", "10.50 eur",
                               "--url", flow.base_url + "/", *common])
    assert paid.exit_code == 0, paid.output
    assert "10.50 EUR" in paid.output and "paid:" in paid.output
    bare = flow.base_url.removeprefix("http://")
    no_scheme = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                    "--url", bare, *common], terminal_width=400)
    assert no_scheme.exit_code == 2 and f"'{bare}' is not an HTTP URL" in no_scheme.output, no_scheme.output
    assert "http://127.0.0.1:8000" in no_scheme.output
    with socket.socket() as unused:  # bound, never listening: nothing answers there
        unused.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{unused.getsockname()[1]}"
        silent = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "10 EUR",
                                     "--url", down, *common], terminal_width=400)
    assert silent.exit_code == 1, silent.output
    assert f"is the network running at {down}? Start it with inzira demo" in " ".join(silent.output.split())
    zero = runner.invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", "0 EUR",
                               "--url", flow.base_url, *common])
    assert zero.exit_code == 1 and "the amount must be more than zero" in zero.output, zero.output
    assert "Quote" not in zero.output


def _send(flow: Flow, out: Path, number: str, amount: str, sender: str = "Marie Dupont") -> Result:
    return CliRunner().invoke(app, ["remit", "send", "--from", "eurosend", "--to", number, "--amount", amount,
                                    "--sender", sender, "--receiver-name", "Aline Mukamana", "--yes",
                                    "--url", flow.base_url, "--data", str(flow.data_dir), "--out", str(out)])


def test_cli_send_exits_non_zero_when_compliance_rejects_it(flow: Flow, tmp_path: Path) -> None:
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    rejected = _send(flow, tmp_path, number, "1500 EUR")  # above the 1,000 EUR per-transfer limit
    assert rejected.exit_code == EXIT_NOT_PAID == 4, rejected.output
    text = rejected.output.replace("\n", "")
    assert "not paid: the transfer ended REJECTED" in text and "paid:" not in text.replace("not paid:", "")


def test_cli_send_exits_non_zero_when_the_payout_fails(flow: Flow, tmp_path: Path) -> None:
    number = flow.wallet("mobimo", "Aline", "Mukamana")
    sim = flow.sims["mobimo"]
    sim.admin.set_behaviour(Behaviour(forced=(ForcedOutcome(number[1:], "fail", "PAYEE_NOT_ALLOWED_TO_RECEIVE"),)))
    try:
        failed = _send(flow, tmp_path, number, "10 EUR")
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert failed.exit_code == EXIT_NOT_PAID, failed.output
    text = failed.output.replace("\n", "")
    assert "not paid: the transfer ended ABORTED" in text and "PAYEE_NOT_ALLOWED_TO_RECEIVE" in text
    assert len(list(tmp_path.glob("receipt-*.json"))) == 1  # the receipt proves the money came back


def test_cli_send_help_lists_the_exit_statuses() -> None:
    shown = CliRunner().invoke(app, ["remit", "send", "--help"], terminal_width=200)
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    assert "0 paid" in text and "3 HELD for compliance review (not paid)" in text and "4 ended not paid" in text


def test_a_step_in_both_the_snapshot_and_the_first_event_is_printed_once() -> None:
    """The stream subscribes, then takes its snapshot: a change made in between comes in both."""
    reserved = {"at_ms": 1, "step": "RESERVED", "state": "RESERVED", "detail": "funds reserved", "code": 0,
                "tx_id": "ab"}
    seen: set[tuple[object, ...]] = set()
    snapshot = {"timeline": [{"at_ms": 0, "step": "RECEIVED", "state": "RECEIVED", "detail": "accepted", "code": 0,
                              "tx_id": None}, reserved]}
    assert [s["step"] for s in new_steps("snapshot", snapshot, seen)] == ["RECEIVED", "RESERVED"]
    again = {"data": {k: v for k, v in reserved.items() if k != "at_ms"}}
    assert new_steps("transfer", again, seen) == []
    paid = {"data": {"step": "PAYOUT_SUCCESSFUL", "state": "RESERVED", "detail": "paid", "code": 0, "tx_id": None}}
    assert [s["step"] for s in new_steps("transfer", paid, seen)] == ["PAYOUT_SUCCESSFUL"]


def test_the_disclosure_shows_a_masked_name_as_written_not_as_markup() -> None:
    """The masked name comes from the receiving FSP's deployment: "[/]" in it stopped the command with a
    traceback, "[link=...]" made a link of the disclosure."""
    text = {"text": "1.00 EUR"}
    quote = {"quote_id": "q", "receiver": {"masked_name": "J[/] [link=https://x.test]U[/link]", "msisdn": "+250788"},
             "receiving_fsp_name": "MobiMo", "amount_sent": text, "sending_fee": text, "total_to_pay": text,
             "exchange_rate": {"text": "1", "mid_market_rate": "1", "margin_percent": "0", "fx_margin": text,
                               "rates_as_of": "2026-12-07T08:00:00Z"},
             "receiving_fee": text, "receiving_fee_in_source": text, "amount_received": text, "total_cost": text,
             "total_cost_percent": "0", "availability": text, "expires_at_ms": 0}
    out = io.StringIO()
    Console(file=out, width=200).print(_disclosure(quote))
    assert "J[/] [link=https://x.test]U[/link]" in out.getvalue()


def test_an_event_nested_past_the_decoders_depth_is_an_unusable_answer() -> None:
    """The CLI follows a transfer on the event stream of whatever server --url names: an event of 10 KB of
    brackets (or not JSON at all) raised out of ``remit send`` as a traceback; it is now the 502 2003 the
    command reports as "following it failed"."""
    fake = FastAPI()

    @fake.get("/v1/remit/transfers/{transfer_id}/events")
    async def events(transfer_id: str) -> Response:
        deep = b"[" * 5_000 + b"]" * 5_000
        return Response(b"event: snapshot\ndata: " + deep + b"\n\n", media_type="text/event-stream")

    with serve_app(fake) as served, RemitClient(served.base_url, "token", timeout_s=10) as client:
        with pytest.raises(HttpProblem) as unusable:
            list(client.events("t-1"))
    assert (unusable.value.status, unusable.value.code) == (502, 2003)
    assert "nested too deep" in unusable.value.detail
