"""``inzira chain``: verify a data folder's chain from genesis, show a block."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from inzira.api.numbers import INT64_MAX
from inzira.cli.common import DataOption, GenesisOption, console, fail, print_json, read_genesis
from inzira.ledger.chain import ChainError
from inzira.ledger.codes import describe
from inzira.node.audit import audit
from inzira.node.reader import ChainReader
from inzira.node.views import header_view, tx_view

app = typer.Typer(help="Verify and inspect the chain.", no_args_is_help=True)


@app.command()
def verify(data: Path = DataOption, as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
           genesis: Optional[Path] = GenesisOption) -> None:
    """Replay the chain from genesis and check every signature, hash, root, state commitment and invariant.

    With --genesis, your own copy of the network's genesis: the folder's chain must belong to that network."""
    held = read_genesis(genesis, data, as_json) if genesis is not None else None
    if held is not None and held.chain_id != read_genesis(None, data, as_json).chain_id:
        fail(f"the chain in {data} belongs to another network than {genesis}", as_json=as_json,
             error_code="other_network")
    try:
        reader = ChainReader(data)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), as_json=as_json, error_code="no_chain")
    tip = reader.store.tip()
    total = tip.height if tip else 0
    try:
        if as_json:
            report = audit(data)
        else:
            with Progress(TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TextColumn("blocks"),
                          TimeRemainingColumn(), console=console, transient=True) as progress:
                task = progress.add_task("verify", total=total)
                report = audit(data, lambda height, _n: progress.update(task, completed=height))
    except ChainError as exc:
        if as_json:
            print_json({"valid": False, "height": exc.height, "reason": exc.reason})
            raise typer.Exit(1)
        fail(f"chain verification failed at block {exc.height}: {exc.reason}")
    if as_json:
        print_json({"valid": True, "height": report.height, "transactions": report.txs,
                    "state_hash": report.state_hash.hex()})
    else:
        console.print(f"[green]valid[/]: {report.height} blocks, {report.txs} transactions, "
                      f"state hash {report.state_hash.hex()}")


def _print_header(view: dict[str, Any]) -> None:
    """One "field  value" line per field, named as in --json; the time also in UTC."""
    width = max(len(name) for name in view)
    for name, value in view.items():
        text = str(value)
        if name == "timestamp_ms":
            at = datetime.fromtimestamp(value / 1000, timezone.utc)
            text += f" ({at.isoformat(sep=' ', timespec='milliseconds').replace('+00:00', ' UTC')})"
        console.print(f"{name:<{width}}  {text}", markup=False, highlight=False)


@app.command()
def show(height: int = typer.Argument(..., help="Block height (1 is the first block)."), data: Path = DataOption,
         as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Print a block's header and its transactions (id, kind, result code)."""
    if not 1 <= height <= INT64_MAX:  # beyond what the store's INTEGER holds: no block has it
        fail(f"there is no block {height}", as_json=as_json, error_code="not_found")
    try:
        reader = ChainReader(data)
        header, block_hash = reader.header(height)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc), as_json=as_json, error_code="no_chain")
    except KeyError:
        fail(f"there is no block {height}", as_json=as_json, error_code="not_found")
    block, _ = reader.block(height)  # type: ignore[misc]
    txs = []
    for raw, result in zip(block.txs, block.results):
        view = tx_view(raw)
        txs.append({"tx_id": view["tx_id"], "kind": view["op"]["kind"] if "op" in view else None,
                    "ref": view.get("ref"), "code": result.code, "description": describe(result.code)})
    if as_json:
        print_json({"header": header_view(header, block_hash), "transactions": txs})
        return
    _print_header(header_view(header, block_hash))
    table = Table("#", "transaction", "kind", "code", "result")
    for i, tx in enumerate(txs):
        table.add_row(str(i), (tx["tx_id"] or "-")[:16], tx["kind"] or "-", str(tx["code"]), tx["description"])
    console.print(table)
