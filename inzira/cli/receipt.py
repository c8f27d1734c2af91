"""``inzira receipt``: export a transaction's receipt, verify one offline."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from inzira.api.receipt_input import REMITTANCE_RECEIPT_FORMAT, verify_outside_receipt
from inzira.cli.common import DataOption, GenesisDataOption, GenesisOption, console, fail, read_genesis
from inzira.decoding import decode_json
from inzira.durable_files import write_durable
from inzira.ledger.receipt import ReceiptError, receipt_json
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
        tx_id = b""
    if len(tx_id) != 32:  # such as the 16 characters chain show's table prints
        fail(f"{txid!r} is not a transaction id: give all 64 hex characters (inzira chain show HEIGHT --json "
             "prints them in full)")
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
        try:
            write_durable(output, text)
        except OSError as exc:
            fail(f"cannot write the receipt to {output}: {exc.strerror or exc}")
        console.print(f"receipt written to {output}")


@app.command()
def verify(file: Path = typer.Argument(..., help="The receipt JSON file."),
           genesis: Optional[Path] = GenesisOption, data: Path = GenesisDataOption) -> None:
    """Verify a receipt offline, with nothing but the genesis. Exit 0 when valid."""
    net = read_genesis(genesis, data)
    try:
        if file.stat().st_size > RECEIPT_BYTES_MAX:
            fail("receipt file too large")
        receipt = decode_json(file.read_bytes())
    except (OSError, ValueError) as exc:
        fail(f"cannot read the receipt: {exc}")
    if isinstance(receipt, dict) and receipt.get("format") == REMITTANCE_RECEIPT_FORMAT:
        fail(f"{file} is a remittance receipt: verify it with inzira remit verify-receipt {file}")
    try:
        summary = verify_outside_receipt(receipt, net)
    except ReceiptError as exc:
        fail(f"invalid receipt: {exc}")
    console.print(f"[green]valid receipt[/]: transaction {summary['tx_id']} {summary['description']} "
                  f"(code {summary['code']}) in block {summary['height']} of {summary['network']}, "
                  f"signed by {', '.join(summary['signers'])}")
