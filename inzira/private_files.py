"""Files only their owner may read (keys, seeds, tokens): created with mode 0600 from the start, and refused
when someone else could read them."""

from __future__ import annotations

import stat
from pathlib import Path

from inzira.durable_files import make_folder, write_durable

PRIVATE_MODE = 0o600


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically and durably; the secret never exists in a file others could read."""
    make_folder(path.parent)
    write_durable(path, data, PRIVATE_MODE)


def read_private(path: Path, bytes_max: int, error: type[Exception]) -> bytes:
    """The file's first ``bytes_max`` bytes; raises ``error`` when it is missing or readable by others."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise error(f"no file at {path}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise error(f"{path} is readable by others (mode {oct(mode & 0o777)}); run chmod 600 on it")
    with path.open("rb") as f:
        return f.read(bytes_max)
