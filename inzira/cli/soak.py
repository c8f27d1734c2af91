"""``inzira soak``: long seeded runs of hostile traffic that print JSON."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from inzira.cli.common import console, err_console, print_json

app = typer.Typer(help="Soaks: hostile traffic against the real state machine and a real peer network (print JSON "
                       "with --json).",
                  no_args_is_help=True)

PROGRESS_EVERY_S = 10.0  # how often --json prints a progress line on stderr


class _Lines:
    """Progress as a line on stderr every few seconds (for --json, whose stdout is one JSON object)."""

    def __init__(self) -> None:
        self.started = self.last = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or done == total:
            self.last = now
            err_console.print(f"soak {phase}: {done:,}/{total:,} ({now - self.started:,.0f} s)", highlight=False)


def _run(run, as_json: bool) -> dict:  # type: ignore[type-arg]
    """``run(on_progress)``: progress lines on stderr with --json, else a bar and a table of the results."""
    if as_json:
        result = run(_Lines())
        print_json(result)
        return result
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=err_console) as progress:
        tasks: dict[str, int] = {}

        def show(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(phase, total=total)
            progress.update(tasks[phase], completed=done)

        result = run(show)
    table = Table("measure", "value")
    for key, value in result.items():
        if not isinstance(value, (dict, list)):
            table.add_row(key, str(value))
    console.print(table)
    return result


@app.command()
def ledger(
    transactions: int = typer.Option(100_000, "--transactions", "-n", min=1, max=10_000_000,
                                     help="Transactions to send, honest and hostile."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, max=2**63 - 1, help="The run is reproduced from its seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hostile traffic through the real state machine, then a replay from genesis; every defect counted."""
    from inzira.soak import ledger as soak_ledger

    result = _run(lambda progress: soak_ledger.run(transactions, seed, progress), as_json)
    defects = (result["exceptions"], result["invariant_violations"], result["duplicates_applied"],
               result["model_mismatches"], result["rule_violations"], result["unexpected_verdicts"])
    if any(defects) or not result["replay_equal"]:
        raise typer.Exit(1)


@app.command()
def network(
    transactions: int = typer.Option(10_000, "--transactions", "-n", min=1, max=10_000_000,
                                     help="Transactions to publish, honest and hostile."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, max=2**63 - 1, help="The traffic is reproduced from its seed."),
    peers: int = typer.Option(3, "--peers", min=1, max=7, help="Peers to start (the first demo members)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hostile traffic published by the members straight to a small real peer network's NATS stream; every
    peer checked alive and in agreement, the chain verified, the ledger compared with the traffic's model."""
    from inzira.soak import network as soak_network

    result = _run(lambda progress: soak_network.run(transactions, seed, peers, on_progress=progress), as_json)
    defects = (result["exceptions"], result["invariant_violations"], result["duplicates_applied"], result["lost"],
               result["model_mismatches"], result["rule_violations"], result["unexpected_verdicts"],
               result["stopped_early"])
    if any(defects) or not (result["peers_agree"] and result["peers_healthy"] and result["chain_verified"]):
        raise typer.Exit(1)
