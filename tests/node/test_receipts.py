"""Receipts: every receipt of a real chain verifies offline with only the genesis; any altered field fails."""

from __future__ import annotations

import base64
import copy
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inzira.demo.setup import create_demo_network
from inzira.ledger.receipt import ReceiptError, verify_receipt
from inzira.node.reader import ChainReader, load_genesis

from .helpers import build_sample_chain


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("receipts") / "data"
    ids = build_sample_chain(folder)
    reader = ChainReader(folder)
    return folder, ids, reader


def test_every_receipt_verifies_offline(chain):
    folder, ids, reader = chain
    genesis = load_genesis(folder)
    codes = set()
    for tx_id in ids:
        receipt = reader.receipt(tx_id)
        summary = verify_receipt(json.loads(json.dumps(receipt)), genesis)
        assert summary["tx_id"] == tx_id.hex()
        codes.add(summary["code"])
    assert {0, 4001} <= codes  # successes and a rejection are both provable


def _flip_b64(text: str, index: int) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index % len(raw)] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def _flip_hex(text: str) -> str:
    return ("0" if text[0] != "0" else "1") + text[1:]


ALTERATIONS = {
    "tx byte (start)": lambda r: r.__setitem__("tx", _flip_b64(r["tx"], 5)),
    "tx byte (middle)": lambda r: r.__setitem__("tx", _flip_b64(r["tx"], 60)),
    "tx byte (signature)": lambda r: r.__setitem__("tx", _flip_b64(r["tx"], -10)),
    "tx id": lambda r: r.__setitem__("tx_id", _flip_hex(r["tx_id"])),
    "result code": lambda r: r["result"].__setitem__("code", 4001 if r["result"]["code"] == 0 else 0),
    "result leg": lambda r: r["result"].__setitem__("at", r["result"]["at"] + 1),
    "block height": lambda r: r["block"].__setitem__("height", r["block"]["height"] + 1),
    "block time": lambda r: r["block"].__setitem__("timestamp_ms", r["block"]["timestamp_ms"] - 1),
    "block hash": lambda r: r["block"].__setitem__("hash", _flip_hex(r["block"]["hash"])),
    "header byte": lambda r: r["block"].__setitem__("header", _flip_b64(r["block"]["header"], 20)),
    "header root byte": lambda r: r["block"].__setitem__("header", _flip_b64(r["block"]["header"], 90)),
    "orderer signature": lambda r: r["block"].__setitem__("signature", _flip_hex(r["block"]["signature"])),
    "leaf index": lambda r: r["proof"].__setitem__("leaf_index", r["proof"]["leaf_index"] ^ 1),
    "proof path element": lambda r: r["proof"]["path"].__setitem__(0, _flip_hex(r["proof"]["path"][0])),
    "proof path shortened": lambda r: r["proof"]["path"].pop(),
    "proof path extended": lambda r: r["proof"]["path"].append("00" * 32),
    "format": lambda r: r.__setitem__("format", "inzira-receipt/0"),
    "missing proof": lambda r: r.pop("proof"),
    "path not hex": lambda r: r["proof"]["path"].__setitem__(0, "zz"),
    "code not int": lambda r: r["result"].__setitem__("code", "0"),
}


@pytest.mark.parametrize("name", sorted(ALTERATIONS))
def test_any_altered_field_fails(chain, name):
    folder, ids, reader = chain
    genesis = load_genesis(folder)
    # A transaction in a multi-transaction block, so the proof path is not empty.
    receipt = next(r for r in (reader.receipt(i) for i in ids) if len(r["proof"]["path"]) >= 2)
    altered = copy.deepcopy(receipt)
    ALTERATIONS[name](altered)
    with pytest.raises(ReceiptError):
        verify_receipt(altered, genesis)


def test_receipt_from_another_network_fails(chain, tmp_path):
    folder, ids, reader = chain
    other = tmp_path / "other"
    create_demo_network(other, int(time.time() * 1000))
    with pytest.raises(ReceiptError):
        verify_receipt(reader.receipt(ids[-1]), load_genesis(other))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inzira.cli.main", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_export_and_verify(chain, tmp_path):
    folder, ids, _ = chain
    out = tmp_path / "receipt.json"
    done = _cli("receipt", "export", ids[3].hex(), "--data", str(folder), "-o", str(out))
    assert done.returncode == 0, done.stderr
    ok = _cli("receipt", "verify", str(out), "--genesis", str(folder / "genesis.json"))
    assert ok.returncode == 0 and "valid receipt" in ok.stdout
    receipt = json.loads(out.read_text())
    receipt["result"]["code"] = 4001
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(receipt))
    refused = _cli("receipt", "verify", str(bad), "--genesis", str(folder / "genesis.json"))
    assert refused.returncode != 0 and "Merkle" in refused.stderr
    missing = _cli("receipt", "export", "ab" * 32, "--data", str(folder))
    assert missing.returncode != 0 and "not in the chain" in missing.stderr
    garbage = _cli("receipt", "export", "xyz", "--data", str(folder))
    assert garbage.returncode != 0
    # The id as `chain show` prints it in its table: the message says where the whole id is.
    shortened = _cli("receipt", "export", ids[3].hex()[:16], "--data", str(folder))
    assert shortened.returncode == 1 and "give all 64 hex characters" in shortened.stderr
    assert "inzira chain show HEIGHT --json" in " ".join(shortened.stderr.split())
    printed = _cli("receipt", "export", ids[0].hex(), "--data", str(folder))
    assert json.loads(printed.stdout)["tx_id"] == ids[0].hex()


def test_cli_export_to_an_unwritable_path_fails_cleanly(chain, tmp_path):
    folder, ids, _ = chain
    out = tmp_path / "no-such-folder" / "receipt.json"
    done = _cli("receipt", "export", ids[0].hex(), "--data", str(folder), "-o", str(out))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"cannot write the receipt to {out}" in done.stderr and "No such file or directory" in done.stderr


def test_cli_chain_show(chain):
    folder, _, _ = chain
    done = _cli("chain", "show", "8", "--data", str(folder), "--json")
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout)
    assert shown["header"]["height"] == 8 and shown["transactions"]
    assert {"tx_id", "kind", "code"} <= set(shown["transactions"][0])
    missing = _cli("chain", "show", "9999", "--data", str(folder), "--json")
    assert missing.returncode != 0 and json.loads(missing.stdout)["error"]["code"] == "not_found"
    assert _cli("chain", "show", "1", "--data", str(Path("/nonexistent"))).returncode != 0
    for height in ("0", str(2**63), "9" * 30):
        beyond = _cli("chain", "show", height, "--data", str(folder), "--json")
        assert beyond.returncode == 1 and "Traceback" not in beyond.stderr, beyond.stderr
        assert json.loads(beyond.stdout)["error"] == {"code": "not_found", "message": f"there is no block {height}"}


def test_cli_chain_show_prints_the_header_for_people(chain):
    folder, _, reader = chain
    header, block_hash = reader.header(8)
    done = _cli("chain", "show", "8", "--data", str(folder))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert not done.stdout.lstrip().startswith("{") and "':" not in done.stdout  # not a Python dict
    fields = {line.split()[0]: line.split()[1] for line in lines[:10]}
    assert fields["height"] == "8" and fields["hash"] == block_hash.hex()
    assert fields["prev_hash"] == header.prev_hash.hex() and fields["state_hash"] == header.state_hash.hex()
    assert len({line.index(line.split()[1]) for line in lines[:10]}) == 1  # values aligned in one column
    assert " UTC)" in next(line for line in lines if line.startswith("timestamp_ms"))


def test_cli_refuses_a_receipt_file_nested_past_the_decoders_depth(chain, tmp_path):
    """10 KB of brackets in a receipt file ended both verify commands with a RecursionError traceback."""
    folder, _, _ = chain
    deep = tmp_path / "deep.json"
    deep.write_bytes(b'{"format": "inzira-receipt/1", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}")
    genesis = str(folder / "genesis.json")
    ledger = _cli("receipt", "verify", str(deep), "--genesis", genesis)
    assert ledger.returncode == 1 and "cannot read the receipt: JSON nested too deep" in ledger.stderr, ledger.stderr
    remittance = _cli("remit", "verify-receipt", str(deep), "--genesis", genesis)
    assert remittance.returncode == 1 and "not valid: JSON nested too deep" in remittance.stderr, remittance.stderr
    assert "Traceback" not in ledger.stderr + remittance.stderr
