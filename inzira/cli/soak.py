"""``inzira soak``: long seeded runs of hostile traffic that print JSON."""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from inzira.cli.common import console, err_console, print_json

app = typer.Typer(help="Soaks: hostile traffic against the real state machine (print JSON with --json).",
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


@app.command()
def ledger(
    transactions: int = typer.Option(100_000, "--transactions", "-n", min=1, max=10_000_000,
                                     help="Transactions to send, honest and hostile."),
    seed: int = typer.Option(1, "--seed", "-s", min=0, max=2**63 - 1, help="The run is reproduced from its seed."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Hostile traffic through the real state machine, then a replay from genesis; every defect counted."""
    from inzira.soak import ledger as soak_ledger

    if as_json:
        result = soak_ledger.run(transactions, seed, _Lines())
        print_json(result)
    else:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err_console) as progress:
            tasks: dict[str, int] = {}

            def show(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(phase, total=total)
                progress.update(tasks[phase], completed=done)

            result = soak_ledger.run(transactions, seed, show)
        table = Table("measure", "value")
        for key, value in result.items():
            if not isinstance(value, (dict, list)):
                table.add_row(key, str(value))
        console.print(table)
    defects = (result["exceptions"], result["invariant_violations"], result["duplicates_applied"],
               result["model_mismatches"], result["rule_violations"], result["unexpected_verdicts"])
    if any(defects) or not result["replay_equal"]:
        raise typer.Exit(1)
