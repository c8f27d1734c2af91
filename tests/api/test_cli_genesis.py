"""Every command that checks something against the network's genesis takes the file (``--genesis FILE``), with
``--data DIR`` as the shortcut for DIR/genesis.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inzira.cli.main import app
from inzira.crypto.keygen import generate_keypair
from inzira.demo.members import demo_genesis
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from tests.api.helpers import post_tx


def _other_network(path: Path) -> Path:
    """The genesis of a network of the same shape with other keys: receipts of ours must not verify with it."""
    keys = {m.id: generate_keypair() for m in genesis_mod.loads(path.read_bytes()).members}
    other = path.with_name("other-genesis.json")
    other.write_bytes(genesis_mod.dumps(demo_genesis(keys, generate_keypair(), 1)))
    return other


def test_receipt_verify_takes_the_genesis_file_or_the_data_folder(ledger, tmp_path: Path) -> None:
    payer = ledger.account("eurosend", "EUR", funded_minor=10)
    payee = ledger.account("mobimo", "EUR")
    with ledger.http("eurosend") as http:
        committed = post_tx(http, ledger.sign("eurosend", Transfer((Leg(payer, payee, 5, "EUR"),)))).json()
        receipt = http.get(committed["receipt_url"]).json()
    file = tmp_path / "receipt.json"
    file.write_text(json.dumps(receipt))
    genesis = tmp_path / "genesis.json"
    genesis.write_bytes((ledger.data_dir / "genesis.json").read_bytes())
    runner = CliRunner()
    for how in (["--genesis", str(genesis)], ["--data", str(ledger.data_dir)], ["-g", str(genesis)]):
        checked = runner.invoke(app, ["receipt", "verify", str(file), *how])
        assert checked.exit_code == 0 and "valid receipt" in checked.output, (how, checked.output)
    other = runner.invoke(app, ["receipt", "verify", str(file), "--genesis", str(_other_network(genesis))])
    assert other.exit_code == 1 and "invalid receipt" in other.output
    receipt["result"]["code"] = 2**70
    file.write_text(json.dumps(receipt))
    crafted = runner.invoke(app, ["receipt", "verify", str(file), "--genesis", str(genesis)])
    assert crafted.exit_code == 1 and "result.code" in crafted.output


def test_chain_verify_checks_the_folder_against_the_genesis_held(ledger, tmp_path: Path) -> None:
    genesis = tmp_path / "genesis.json"
    genesis.write_bytes((ledger.data_dir / "genesis.json").read_bytes())
    runner = CliRunner()
    other = runner.invoke(app, ["chain", "verify", "--data", str(ledger.data_dir), "--genesis",
                                str(_other_network(genesis)), "--json"])
    assert other.exit_code == 1 and json.loads(other.output)["error"]["code"] == "other_network"


def test_without_a_genesis_the_error_says_how_to_give_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A receipt verified where no data/ folder is (the default) names the options, not only the missing file."""
    monkeypatch.chdir(tmp_path)
    file = tmp_path / "receipt.json"
    file.write_text("{}")
    for command in (["receipt", "verify", str(file)], ["remit", "verify-receipt", str(file)]):
        missing = CliRunner().invoke(app, command)
        text = " ".join(missing.output.split())
        assert missing.exit_code == 1 and "cannot read the genesis data/genesis.json" in text, text
        assert "--genesis FILE, or --data DIR" in text, text
    given = CliRunner().invoke(app, ["receipt", "verify", str(file), "--genesis", str(tmp_path / "none.json")])
    assert given.exit_code == 1 and "--data DIR" not in given.output  # the file named was wrong: no advice
