"""CPU seconds used by processes (Linux /proc), to say where a benchmark's time went."""

from __future__ import annotations

import os
from pathlib import Path

CHILDREN_MAX = 64


def _ticks_per_s() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (ValueError, OSError):
        return 100


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing parenthesis.
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (0 when it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _ticks_per_s()


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (for a peer: its signature-checking workers)."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.exists():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and int(fields[1]) == pid:
            found.append(int(entry.name))
            if len(found) >= CHILDREN_MAX:
                break
    return found


def snapshot(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds per named group of processes."""
    return {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}


def used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: round(after[name] - before.get(name, 0.0), 2) for name in after}


def thread_cpu_seconds(pid: int, tid: int) -> float:
    """User + system CPU of one thread of ``pid`` (0 when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / _ticks_per_s()
