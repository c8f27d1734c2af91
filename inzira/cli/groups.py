"""The table of sub-command groups: (name, Typer app), in the order `inzira --help` lists them."""

from __future__ import annotations

import importlib

import typer

# module name in inzira.cli -> group name on the command line
_GROUPS: tuple[tuple[str, str], ...] = (
    ("chain", "chain"),
    ("receipt", "receipt"),
    ("bench", "bench"),
    ("soak", "soak"),
    ("network", "network"),
    ("qr", "qr"),
    ("remit", "remit"),
    ("directory", "directory"),
    ("mojaloop", "mojaloop"),
    ("sim", "sim"),
)


def all_groups() -> list[tuple[str, typer.Typer]]:
    found = []
    for module_name, group_name in _GROUPS:
        module = importlib.import_module(f"inzira.cli.{module_name}")
        found.append((group_name, module.app))
    return found
