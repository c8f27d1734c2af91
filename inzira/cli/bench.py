"""``inzira bench``: benchmarks that print JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from inzira.cli.common import console, print_json

app = typer.Typer(help="Benchmarks (print JSON with --json).", no_args_is_help=True)


def _table(result: dict[str, object]) -> None:
    table = Table("measure", "value")
    for key, value in result.items():
        table.add_row(key, str(value))
    console.print(table)


@app.command()
def ledger(
    transfers: int = typer.Option(100_000, "--transfers", "-n", min=1, max=10_000_000, help="Transfers to commit."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="Keep the chain in this (new) folder."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Signed transfers through the embedded node: signatures verified, blocks durable."""
    from inzira.bench import ledger as bench_ledger

    if data is not None and (data / "genesis.json").exists():
        raise typer.BadParameter(f"{data} already holds a network; give a new folder", param_hint="--data")
    if as_json:
        print_json(bench_ledger.run(transfers, data))
        return
    with Progress(TextColumn("committing"), BarColumn(), MofNCompleteColumn(), console=console) as progress:
        task = progress.add_task("bench", total=transfers)
        result = bench_ledger.run(transfers, data, lambda n: progress.update(task, completed=n))
    _table(result)


@app.command()
def qr(
    rate: int = typer.Option(200, "--rate", min=1, max=5_000, help="Payments started per second (offered load)."),
    seconds: float = typer.Option(20.0, "--seconds", min=1, max=3_600, help="How long to offer it."),
    data: Optional[Path] = typer.Option(None, "--data", "-d", help="Keep the network in this (new) folder."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Visitor QR payments (decode, quote, pay) through the HTTP API; latency to the merchant's event."""
    from inzira.bench import qr as bench_qr

    if data is not None and (data / "genesis.json").exists():
        raise typer.BadParameter(f"{data} already holds a network; give a new folder", param_hint="--data")
    result = bench_qr.run(rate, seconds, data)
    if as_json:
        print_json(result)
    else:
        _table(result)


@app.command()
def remit(
    remittances: int = typer.Option(5_000, "--remittances", "-n", min=1, max=1_000_000,
                                    help="Complete remittances to run."),
    concurrency: int = typer.Option(60, "--concurrency", "-c", min=1, max=10_000,
                                    help="Customers sending at the same time."),
    latency_ms: int = typer.Option(50, "--payout-latency-ms", min=0, max=60_000,
                                   help="The operator's shortest payout time."),
    latency_max_ms: int = typer.Option(200, "--payout-latency-max-ms", min=0, max=60_000,
                                       help="The operator's longest payout time (each payout takes a time drawn "
                                            "between the two)."),
    sanctions_entries: int = typer.Option(10_000, "--sanctions-entries", min=0, max=50_000,
                                          help="Screen against a generated UN-format list of this many entries "
                                               "(0: the fictional sample list)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Complete remittances (look-up, quote, screening, transfer, payout, commit) through the HTTP API."""
    from inzira.bench import remit as bench_remit

    options = {"sanctions_entries": sanctions_entries, "latency_max_ms": latency_max_ms}
    if as_json:
        print_json(bench_remit.run(remittances, concurrency, latency_ms, **options))
        return
    with console.status("starting") as status:
        result = bench_remit.run(remittances, concurrency, latency_ms, on_progress=status.update, **options)
    _table(result)


@app.command()
def screening(
    show_errors: bool = typer.Option(False, "--show-errors", help="List the missed and wrongly held pairs."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Sanctions screening: precision, recall and false positives on the labelled evaluation set's held-out
    half; names screened per second against generated lists of 1,000 and 20,000 entries."""
    from inzira.bench import screening as bench_screening

    result = bench_screening.run(show_errors=show_errors)
    if as_json:
        print_json(result)
    else:
        _table(result)


@app.command()
def network(
    transfers: int = typer.Option(50_000, "--transfers", "-n", min=1, max=1_000_000, help="Transfers to commit."),
    peers: int = typer.Option(3, "--peers", min=3, max=7, help="Peer processes (3 of them may cut blocks)."),
    servers: int = typer.Option(3, "--servers", min=1, max=5, help="NATS servers."),
    failover: str = typer.Option("leader", "--failover",
                                 help="Then SIGKILL a NATS server under load: 'leader' (of the transactions "
                                      "stream), 'follower' (one leading neither ordering stream) or 'none'."),
    rate: int = typer.Option(0, "--rate", min=0, max=100_000,
                             help="Offered transfers per second (0: as fast as they commit, for throughput)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Signed transfers through NATS JetStream to a local network, committed when EVERY peer stored them."""
    from inzira.bench import network as bench_network

    if failover not in bench_network.FAILOVER_MODES:
        raise typer.BadParameter(f"one of {', '.join(bench_network.FAILOVER_MODES)}", param_hint="--failover")
    if failover != "none" and servers < 3:
        raise typer.BadParameter("killing a server under load needs --servers 3 or more", param_hint="--failover")
    if as_json:
        print_json(bench_network.run(transfers, peers, servers, failover, rate_per_s=rate))
        return
    with Progress(TextColumn("committing on every peer"), BarColumn(), MofNCompleteColumn(),
                  console=console) as progress:
        task = progress.add_task("bench", total=transfers)
        result = bench_network.run(transfers, peers, servers, failover, rate_per_s=rate,
                                   on_progress=lambda n: progress.update(task, completed=n))
    _table(result)
