"""`make demo` is the README's first command: a user whose port 8000 is taken is told to choose another --port,
which make had no way to pass on."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_TIMEOUT_S = 30


def test_make_demo_passes_the_demos_options_on() -> None:
    planned = subprocess.run(["make", "-n", "-C", str(ROOT), "demo", "DEMO_ARGS=--port 8001 --host 127.0.0.1"],
                             capture_output=True, text=True, timeout=MAKE_TIMEOUT_S)
    assert planned.returncode == 0, planned.stderr
    assert ".venv/bin/inzira demo --port 8001 --host 127.0.0.1" in planned.stdout, planned.stdout
