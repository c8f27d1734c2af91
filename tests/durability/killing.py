"""Killing a process (SIGKILL, as ``kill -9``) at the worst moment of a file write: right after it created the
file it writes to, before a single byte is in it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
CHILD_TIMEOUT_S = 60.0

# Wraps os.open (which open(), tempfile and pathlib all go through) in the child process.
_CHILD = """
import os, signal, sys
name = sys.argv[1]
real_open = os.open
def killing_open(path, flags, *args, **kwargs):
    fd = real_open(path, flags, *args, **kwargs)
    if flags & os.O_CREAT and name in os.path.basename(os.fspath(path)):
        os.kill(os.getpid(), signal.SIGKILL)
    return fd
os.open = killing_open
exec(sys.argv[2])
"""


def killed_while_creating(file_name: str, code: str) -> None:
    """Run ``code`` in a new interpreter, killed as soon as it creates a file whose name holds ``file_name``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD, file_name, code], cwd=ROOT, env=env, capture_output=True,
                          timeout=CHILD_TIMEOUT_S, check=False)
    if done.returncode != -signal.SIGKILL:
        raise AssertionError(f"the child was not killed while writing (exit {done.returncode}): {done.stderr!r}")
