"""Credentials a deployment issues, kept in a file only its owner can read (0600): name -> bearer token.

The FX provider's quote clients (``fx-clients.json``), an issuer's funding officers (``funding-officers.json``),
the remittance service's compliance officers and the directory operator's members (``inzira.remit.secrets_files``)
are such files: created on first use with fresh random tokens for the names the
deployment expects, refused later if others can read them or if they are not a name -> token object.
"""

from __future__ import annotations

import json
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from inzira.json_files import read_json
from inzira.private_files import write_private

TOKEN_FILE_BYTES_MAX = 64 * 1024


class TokenFileError(ValueError):
    """A token file that others can read, or of the wrong size or shape."""


def load_tokens(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenFileError(f"{path} is readable by others (mode {oct(mode & 0o777)}); run chmod 600 on it")
    try:
        loaded = read_json(path, TOKEN_FILE_BYTES_MAX)
    except ValueError as exc:
        raise TokenFileError(str(exc)) from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) and v for v in loaded.values()):
        raise TokenFileError(f"{path} must map names to token strings")
    return dict(loaded)


def ensure_tokens(path: Path, names: Iterable[str], prefix: str) -> dict[str, str]:
    """Name -> token; tokens for names not in the file yet are made and added."""
    tokens = load_tokens(path)
    missing = [n for n in names if n not in tokens]
    if missing:
        tokens.update({n: prefix + secrets.token_urlsafe(24) for n in missing})
        write_private(path, json.dumps(tokens, indent=2).encode())
    return tokens
