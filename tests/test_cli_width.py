"""The command line's tables, piped to a file or a pager, are laid out wide enough that no id or amount is cut
(or as wide as COLUMNS says); on a terminal they keep the terminal's width."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

PROCESS_TIMEOUT_S = 60
MERCHANT_ID = "acq-ubumwe-merchant-" + "0" * 38 + "42"  # 60 characters: an 80-column table cuts it
PAYLOAD = ("00020101021226770009rw.inzira0160" + MERCHANT_ID +
           "5204701153036465405150005802RW5920Hotel Mille Collines6006Kigali6304DDE9")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
COMMAND = [sys.executable, "-m", "inzira.cli.main", "qr", "parse", PAYLOAD]


def _piped(columns: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | ({"COLUMNS": columns} if columns else {})
    done = subprocess.run(COMMAND, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S, env=env,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_table_piped_to_a_file_is_not_cut() -> None:
    lines = _piped(None).splitlines()
    assert any("│ 26.01 │" in line and f"│ {MERCHANT_ID} │" in line for line in lines), lines
    assert "…" not in "".join(lines)


def test_a_table_piped_with_columns_set_takes_that_width() -> None:
    lines = _piped("60").splitlines()
    assert max(len(line) for line in lines) <= 60 and MERCHANT_ID not in "".join(lines), lines


def test_a_table_on_a_terminal_keeps_the_terminal_width() -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 72, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"TERM": "xterm"}
    try:
        process = subprocess.Popen(COMMAND, stdin=follower, stdout=follower, stderr=follower, env=env)
        os.close(follower)
        chunks: list[bytes] = []
        deadline = time.monotonic() + PROCESS_TIMEOUT_S
        while time.monotonic() < deadline:
            if not select.select([leader], [], [], 1.0)[0]:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(leader, 65_536)
            except OSError:  # EIO: the process ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=PROCESS_TIMEOUT_S) == 0
    finally:
        os.close(leader)
    lines = ANSI.sub("", b"".join(chunks).decode()).splitlines()
    assert any("26.01" in line for line in lines), lines
    assert max(len(line) for line in lines) <= 72 and MERCHANT_ID not in "".join(lines), lines
