"""Secrets the remittance service keeps in the data folder, each in a file only its owner can read (0600).

- ``fulfilment-keys/<member>.key``: each receiving FSP's secret for its hashlock fulfilments.
- ``remit-officers.json``: the API token of each sending FSP's compliance officer.

Files are created on first use with fresh random bytes and refused later if others can read them. (The
directory operator keeps its phone-number hash key the same way, in its own folder: see ``inzira.directory``.)
"""

from __future__ import annotations

import json
import secrets
import stat
from pathlib import Path

from inzira.durable_files import create_private_once
from inzira.private_files import write_private

SECRET_BYTES = 32
FULFILMENT_KEYS_DIR = "fulfilment-keys"
OFFICERS_FILE = "remit-officers.json"
TOKENS_FILE_BYTES_MAX = 64 * 1024


class SecretFileError(ValueError):
    """A secret file that others can read, or of the wrong size or shape."""


def _check_private(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileError(f"{path} is readable by others (mode {oct(mode & 0o777)}); run chmod 600 on it")


def secret_key(path: Path) -> bytes:
    """The 32 random bytes in ``path``, created on first use (by the first of processes starting together)."""
    create_private_once(path, secrets.token_bytes(SECRET_BYTES))
    _check_private(path)
    data = path.read_bytes()
    if len(data) != SECRET_BYTES:
        raise SecretFileError(f"{path} must hold exactly {SECRET_BYTES} bytes, not {len(data)}")
    return data


def fulfilment_key(data_dir: Path, member: str) -> bytes:
    return secret_key(data_dir / FULFILMENT_KEYS_DIR / f"{member}.key")


def officer_tokens(data_dir: Path, members: list[str]) -> dict[str, str]:
    """Member -> its compliance officer's API token; tokens for members not in the file yet are added."""
    return member_tokens(data_dir / OFFICERS_FILE, members, "officer-")


def member_tokens(path: Path, members: list[str], prefix: str) -> dict[str, str]:
    """Member -> a token in the private JSON file at ``path``; tokens for members not in it yet are added."""
    tokens: dict[str, str] = {}
    if path.exists():
        _check_private(path)
        raw = path.read_bytes()
        if len(raw) > TOKENS_FILE_BYTES_MAX:
            raise SecretFileError(f"{path} is larger than {TOKENS_FILE_BYTES_MAX} bytes")
        loaded = json.loads(raw)
        if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
            raise SecretFileError(f"{path} must map member ids to token strings")
        tokens = dict(loaded)
    missing = [m for m in members if m not in tokens]
    if missing:
        tokens.update({m: prefix + secrets.token_urlsafe(24) for m in missing})
        write_private(path, json.dumps(tokens, indent=2).encode())
    return tokens
