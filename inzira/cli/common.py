"""What the command groups share: the data folder option, JSON output and clean failures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

DEFAULT_DATA_DIR = Path("data")

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DataOption = typer.Option(DEFAULT_DATA_DIR, "--data", "-d", help="The node's data folder.", show_default=True)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def fail(message: str, code: int = 1, as_json: bool = False, error_code: str = "error") -> NoReturn:
    if as_json:
        print_json({"error": {"code": error_code, "message": message}})
    else:
        err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
