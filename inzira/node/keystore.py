"""Key files: one JSON file per key, readable by its owner only (mode 0600, in a 0700 folder)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from inzira.crypto import KeyPair


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or readable by others."""


def save_key(path: Path, name: str, key: KeyPair) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    data = json.dumps({"name": name, "public_key": key.public_key.hex(), "seed": key.seed.hex()}, indent=2)
    # Create with 0600 from the start: the secret never exists in a file others could read.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(data + "\n")
    os.chmod(path, 0o600)


def load_key(path: Path) -> KeyPair:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyFileError(f"no key file at {path}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(f"{path} is readable by others (mode {oct(mode & 0o777)}); run chmod 600 on it")
    try:
        data = json.loads(path.read_text())
        key = KeyPair.from_seed(bytes.fromhex(data["seed"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an Inzira key file") from exc
    if key.public_key.hex() != data.get("public_key"):
        raise KeyFileError(f"{path}: the public key does not match the seed")
    return key
