"""Secrets the remittance service keeps in the data folder, each in a file only its owner can read (0600).

- ``fulfilment-keys/<member>.key``: each receiving FSP's secret for its hashlock fulfilments.
- ``remit-officers.json``: the API token of each sending FSP's compliance officer.

Files are created on first use with fresh random bytes and refused later if others can read them. (The
directory operator keeps its phone-number hash key the same way, in its own folder: see ``inzira.directory``.)
"""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

from inzira.api.token_files import ensure_tokens
from inzira.durable_files import create_private_once

SECRET_BYTES = 32
FULFILMENT_KEYS_DIR = "fulfilment-keys"
OFFICERS_FILE = "remit-officers.json"


class SecretFileError(ValueError):
    """A secret file that others can read, or of the wrong size."""


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
    return ensure_tokens(data_dir / OFFICERS_FILE, members, "officer-")

