"""Key files: one JSON file per key, readable by its owner only (mode 0600, in a 0700 folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from inzira.crypto import KeyPair
from inzira.durable_files import make_folder
from inzira.json_files import parse_json
from inzira.private_files import read_private, write_private

KEY_FILE_BYTES_MAX = 4096


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or readable by others."""


def save_key(path: Path, name: str, key: KeyPair) -> None:
    make_folder(path.parent, 0o700)
    os.chmod(path.parent, 0o700)
    data = json.dumps({"name": name, "public_key": key.public_key.hex(), "seed": key.seed.hex()}, indent=2)
    write_private(path, data.encode() + b"\n")


def load_key(path: Path) -> KeyPair:
    raw = read_private(path, KEY_FILE_BYTES_MAX, KeyFileError)
    try:
        data = parse_json(path, raw)
        key = KeyPair.from_seed(bytes.fromhex(data["seed"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise KeyFileError(f"{path} is not an Inzira key file") from exc
    if key.public_key.hex() != data.get("public_key"):
        raise KeyFileError(f"{path}: the public key does not match the seed")
    return key
