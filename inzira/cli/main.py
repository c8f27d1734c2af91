"""Entry point of the ``inzira`` command: one sub-command group per file in this folder."""

from __future__ import annotations

import typer

from inzira import __version__

app = typer.Typer(
    name="inzira",
    help="Inzira: a permissioned payment network for remittances into Rwanda and visitor QR payments.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"inzira {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Inzira command line."""


def _register() -> None:
    # Each group lives in its own module; importing them here keeps this file a table of contents.
    from inzira.cli import groups

    for name, group in groups.all_groups():
        app.add_typer(group, name=name)
    from inzira.cli.demo import demo

    app.command()(demo)


_register()


if __name__ == "__main__":
    app()
