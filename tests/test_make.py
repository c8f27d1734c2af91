"""`make demo` is the README's first command: a user whose port 8000 is taken is told to choose another --port,
which make had no way to pass on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_TIMEOUT_S = 30
DEMO_TIMEOUT_S = 120


def test_make_demo_passes_the_demos_options_on() -> None:
    planned = subprocess.run(["make", "-n", "-C", str(ROOT), "demo", "DEMO_ARGS=--port 8001 --host 127.0.0.1"],
                             capture_output=True, text=True, timeout=MAKE_TIMEOUT_S)
    assert planned.returncode == 0, planned.stderr
    assert ".venv/bin/inzira demo --port 8001 --host 127.0.0.1" in planned.stdout, planned.stdout


def _planned(*args: str) -> str:
    """What make would run for ``args`` with every target out of date (-B), as on a fresh machine."""
    planned = subprocess.run(["make", "-n", "-B", "-C", str(ROOT), *args], capture_output=True, text=True,
                             timeout=MAKE_TIMEOUT_S)
    assert planned.returncode == 0, planned.stderr
    return planned.stdout


def test_make_demo_installs_mojaloops_tools_only_for_the_ekash_gateway() -> None:
    """The Testing Toolkit in tools/mojaloop (a thousand npm packages) is the tests' hub; the demo reads only the
    FSPIOP API definitions installed beside it, and only with --mojaloop-hub."""
    assert "tools/mojaloop" not in _planned("demo")
    assert "tools/mojaloop" not in _planned("demo", "DEMO_ARGS=--port 8001")
    assert "cd tools/mojaloop && npm ci" in _planned("demo", "DEMO_ARGS=--mojaloop-hub http://127.0.0.1:4040")
    assert "cd tools/mojaloop && npm ci" in _planned("test")
    assert "cd tools/mojaloop && npm ci" in _planned("install")


def test_the_ekash_demo_without_the_api_definitions_says_to_run_make_install(tmp_path: Path) -> None:
    """A checkout where tools/mojaloop was never installed (`make demo` alone does not install it): the package
    copied away from the checkout's tools/ finds no definitions, as such a checkout would."""
    shutil.copytree(ROOT / "inzira", tmp_path / "inzira", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "inzira.cli.main", "demo", "--data", str(tmp_path / "data"),
                           "--port", "0", "--no-seed", "--mojaloop-hub", "http://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=DEMO_TIMEOUT_S, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)})
    said = " ".join(done.stderr.split())
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "the FSPIOP API definition is not installed" in said and "(run `make install`)" in said, said
