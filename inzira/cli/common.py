"""What the command groups share: the data folder and genesis options, JSON output and clean failures."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Optional

import typer
from rich.console import Console

from inzira.token_urls import clear_text_refusal

if TYPE_CHECKING:
    from inzira.ledger.genesis import Genesis

DEFAULT_DATA_DIR = Path("data")

# Piped to a file or a pager, Rich lays tables out for 80 columns and cuts ids and amounts short: there they get
# the width COLUMNS says, else one no row reaches. A terminal keeps its own width.
WIDTH_NOT_TERMINAL = 1_000


def _console(stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream is not None and stream.isatty():
        width = None
    else:
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and 0 < int(columns) <= WIDTH_NOT_TERMINAL else WIDTH_NOT_TERMINAL
    return Console(stderr=stderr, soft_wrap=True, width=width)


console = _console(stderr=False)
err_console = _console(stderr=True)

DataOption = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="The node's data folder.", show_default=True)
GENESIS_FILE_NAME = "genesis.json"
# Commands that check something against the network's genesis take the file itself; --data DIR is the
# shortcut for DIR/genesis.json.
GenesisOption = typer.Option(None, "--genesis", "-g", help="The network's genesis.json "
                             "(default: genesis.json in the --data folder).", dir_okay=False)
GenesisDataOption = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="A data folder holding genesis.json "
                                 "(a shortcut for --genesis DIR/genesis.json).", show_default=True)


def token_api_url(value: str) -> str:
    """An ``--url`` option's check for a command that sends a bearer token there (see ``clear_text_refusal``)."""
    refusal = clear_text_refusal(value)
    if refusal is not None:
        raise typer.BadParameter(refusal)
    return value


def shown_escaped(text: str) -> str:
    """``text`` with its control, format and line-break characters shown escaped (``\\x1b``): what a server
    wrote cannot clear the screen, retitle it or rewrite a line."""
    return "".join(char.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(char).startswith(("C", "Zl", "Zp")) else char for char in text)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def read_genesis(genesis: Optional[Path], data: Path, as_json: bool = False) -> "Genesis":
    """The genesis from ``--genesis FILE``, else from ``--data DIR``; a clean failure when unreadable."""
    from inzira.ledger import genesis as genesis_mod

    path = genesis if genesis is not None else data / GENESIS_FILE_NAME
    try:
        with path.open("rb") as file:
            return genesis_mod.loads(file.read(genesis_mod.GENESIS_BYTES_MAX + 1))
    except (OSError, ValueError) as exc:
        hint = "" if genesis is not None else " (give the network's genesis with --genesis FILE, or --data DIR)"
        fail(f"cannot read the genesis {path}: {exc}{hint}", as_json=as_json, error_code="no_genesis")


def fail(message: str, code: int = 1, as_json: bool = False, error_code: str = "error") -> NoReturn:
    if as_json:
        print_json({"error": {"code": error_code, "message": message}})
    else:
        err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
