"""The ledger core stays pure: no I/O, no clock, no randomness, no processes or threads, no presentation.

Every module under ``inzira/ledger/``, and the modules outside it that it may import (``inzira/money.py``
and the pure half of ``inzira/crypto/``), is parsed and each import checked against an explicit allowlist.
Anything else, from ``os`` to a layer above the core, fails the test with the file and line.
"""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "inzira" / "ledger"

# Standard-library modules with no I/O, clock, randomness, processes or threads.
PURE_STDLIB = frozenset({
    "__future__", "typing", "dataclasses", "enum", "hashlib", "heapq", "re", "collections",
    "collections.abc", "functools", "itertools", "math", "bisect", "base64", "decimal",
})
# PyNaCl only for signing and checking signatures (not nacl.utils, whose job is random bytes).
PURE_THIRD_PARTY = frozenset({"msgspec", "nacl.bindings", "nacl.signing", "nacl.exceptions"})
PURE_INZIRA = frozenset({"inzira.crypto", "inzira.crypto.hashing", "inzira.crypto.signatures", "inzira.money"})
# These, and every module under them, are allowed.
PURE_TREES = ("msgspec", "inzira.ledger")
# Text for people is made at the edges (inzira.node.views, the API, the pages), never in the core.
PRESENTATION_NAMES = frozenset({"format_minor", "format_decimal", "money_text", "parse_amount",
                                "parse_decimal_minor"})

# Builtins that read or write the outside world, or import behind the allowlist's back.
IMPURE_BUILTINS = frozenset({"open", "print", "input", "breakpoint", "exec", "eval", "compile", "__import__"})
# Randomness reached through an allowed module (nacl.bindings.randombytes, a fresh nacl SigningKey).
IMPURE_ATTRIBUTES = frozenset({"randombytes", "randombytes_buf", "urandom", "getrandom", "generate"})


def allowed(module: str) -> bool:
    if module in PURE_STDLIB or module in PURE_THIRD_PARTY or module in PURE_INZIRA:
        return True
    return any(module == tree or module.startswith(tree + ".") for tree in PURE_TREES)


def _is_module(name: str) -> bool:
    """Whether ``name`` is a module (so ``from parent import name`` imports it), not an attribute."""
    if name.split(".")[0] == "inzira":
        path = ROOT.joinpath(*name.split("."))
        return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _file_of(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    package = path / "__init__.py"
    return package if package.is_file() else path.with_suffix(".py")


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1])


def imported_modules(node: ast.AST, package: str) -> list[str]:
    """Modules an import statement loads; ``from pkg import sub`` counts as ``pkg.sub`` when sub is one."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    found = [module]
    found += [f"{module}.{alias.name}" for alias in node.names if _is_module(f"{module}.{alias.name}")]
    return found


def refusals(source: str, package: str) -> list[str]:
    """Every impure import or call in ``source`` as "line N: what"; empty when the module is pure."""
    out: list[str] = []
    for node in ast.walk(ast.parse(source)):
        for module in imported_modules(node, package):
            if not allowed(module):
                out.append(f"line {node.lineno}: imports {module}")
        if isinstance(node, ast.ImportFrom):
            out += [f"line {node.lineno}: imports {a.name} (presentation)" for a in node.names
                    if a.name in PRESENTATION_NAMES]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IMPURE_BUILTINS:
            out.append(f"line {node.lineno}: calls {node.func.id}()")
        if isinstance(node, ast.Attribute) and node.attr in IMPURE_ATTRIBUTES | PRESENTATION_NAMES:
            out.append(f"line {node.lineno}: uses .{node.attr}")
    return out


def _checked_files() -> list[Path]:
    support = sorted({_file_of(m) for m in PURE_INZIRA} - {_file_of("inzira.ledger")})
    files = sorted(LEDGER.rglob("*.py")) + [p for p in support if p.exists()]
    if len(files) < 10:
        raise RuntimeError(f"found only {len(files)} modules under {LEDGER}: is the layout as expected?")
    return files


@pytest.mark.parametrize("path", _checked_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_imports_only_pure_things(path: Path) -> None:
    found = refusals(path.read_text(encoding="utf-8"), _package_of(path))
    assert not found, f"{path.relative_to(ROOT)} is not pure:\n" + "\n".join(found)


def test_every_allowed_inzira_module_exists() -> None:
    # Were one renamed, the check above would silently stop reading it.
    missing = sorted(m for m in PURE_INZIRA if not _file_of(m).exists())
    assert not missing, f"missing: {missing}"


@pytest.mark.parametrize("source", [
    "import os",
    "import time",
    "from time import monotonic",
    "import random",
    "import uuid",
    "import subprocess",
    "import threading",
    "import sqlite3",
    "import socket",
    "import asyncio",
    "import nacl.utils",
    "from nacl import utils",
    "import inzira.node.node",
    "from inzira.node.views import tx_view",
    "from inzira import node",
    "from inzira.crypto import keygen",
    "from inzira.crypto.keygen import generate_keypair",
    "from inzira.crypto.verifier_pool import Verifier",
    "def f():\n    import datetime",
    "print('x')",
    "open('x')",
    "__import__('os')",
    "import nacl.bindings\nnacl.bindings.randombytes(32)",
    "from inzira.money import format_minor",
    "from inzira.money import money_text",
    "import inzira.money\ninzira.money.format_minor(1, 'RWF')",
])
def test_the_check_refuses_impure_code(source: str) -> None:
    assert refusals(source, "inzira.ledger"), f"not refused: {source!r}"


def test_the_check_resolves_relative_imports() -> None:
    assert refusals("from .. import cli", "inzira.ledger")
    assert not refusals("from . import merkle", "inzira.ledger")


def test_the_check_allows_what_the_core_needs() -> None:
    source = (
        "from inzira.crypto import Hasher, KeyPair, verify\n"
        "from inzira.crypto.hashing import Hasher\n"
        "from inzira.money import AMOUNT_MINOR_MAX\n"
        "import msgspec\n"
    )
    assert not refusals(source, "inzira.ledger")


def test_importing_the_core_loads_no_inzira_module_above_it() -> None:
    """At run time too: importing every core module pulls in only allowed inzira modules."""
    modules = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in sorted(LEDGER.rglob("*.py"))]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m == 'inzira' or m.startswith('inzira.'))))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    loaded = set(run.stdout.split())
    # Importing inzira.ledger.x first runs the packages above it, inzira/__init__.py included.
    impure = sorted(m for m in loaded if m != "inzira" and not allowed(m))
    assert not impure, f"the core loads {impure}"


def test_a_key_pair_draws_no_randomness() -> None:
    from inzira.crypto import KeyPair

    assert not hasattr(KeyPair, "generate"), "fresh keys come from inzira.crypto.keygen, outside the core"
