"""``inzira receipt``: export a transaction's receipt, verify one offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from inzira.cli.common import DataOption, console, fail
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.receipt import ReceiptError, receipt_json, verify_receipt
from inzira.node.reader import ChainReader

app = typer.Typer(help="Export and verify offline-verifiable receipts.", no_args_is_help=True)

RECEIPT_BYTES_MAX = 1024 * 1024


@app.command()
def export(txid: str = typer.Argument(..., help="Transaction id (64 hex characters)."), data: Path = DataOption,
           output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write here instead of stdout.")) -> None:
    """Write the self-contained receipt of a transaction: tx, result, inclusion proof, signed header."""
    try:
        tx_id = bytes.fromhex(txid)
    except ValueError:
        fail(f"{txid!r} is not a transaction id (64 hex characters)")
    if len(tx_id) != 32:
        fail(f"{txid!r} is not a transaction id (64 hex characters)")
    try:
        receipt = ChainReader(data).receipt(tx_id)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if receipt is None:
        fail(f"transaction {txid} is not in the chain at {data}")
    text = receipt_json(receipt)
    if output is None:
        typer.echo(text.decode(), nl=False)
    else:
        output.write_bytes(text)
        console.print(f"receipt written to {output}")


@app.command()
def verify(file: Path = typer.Argument(..., help="The receipt JSON file."),
           genesis: Path = typer.Option(..., "--genesis", "-g", help="The network's genesis.json.")) -> None:
    """Verify a receipt offline, with nothing but the genesis. Exit 0 when valid."""
    try:
        net = genesis_mod.loads(genesis.read_bytes())
    except (OSError, ValueError) as exc:
        fail(f"cannot read the genesis: {exc}")
    try:
        if file.stat().st_size > RECEIPT_BYTES_MAX:
            fail("receipt file too large")
        receipt = json.loads(file.read_bytes())
    except (OSError, ValueError) as exc:
        fail(f"cannot read the receipt: {exc}")
    if not isinstance(receipt, dict):
        fail("invalid receipt: not a JSON object")
    try:
        summary = verify_receipt(receipt, net)
    except ReceiptError as exc:
        fail(f"invalid receipt: {exc}")
    console.print(f"[green]valid receipt[/]: transaction {summary['tx_id']} {summary['description']} "
                  f"(code {summary['code']}) in block {summary['height']} of {summary['network']}, "
                  f"signed by {', '.join(summary['signers'])}")
