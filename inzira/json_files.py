"""Reading a JSON file on this machine (a links file, a rates table, a peer's settings, a token file): bounded in
size, and a clear ValueError naming the file when it is too large, not UTF-8, not JSON, nested too deep or of
another shape, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from inzira.decoding import decode_json


def read_bounded(path: Path, bytes_max: int) -> bytes:
    """The bytes of ``path``; ValueError when it is larger than ``bytes_max`` (OSError when it cannot be read)."""
    with path.open("rb") as file:
        data = file.read(bytes_max + 1)
    if len(data) > bytes_max:
        raise ValueError(f"{path} is larger than {bytes_max} bytes")
    return data


def parse_json(path: Path, data: bytes) -> Any:
    """The JSON document ``data`` read from ``path``; ValueError naming the file when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError as exc:  # UnicodeDecodeError too: bytes that are not UTF-8
        raise ValueError(f"{path} is not JSON: {exc}") from None
    except RecursionError:  # arrays or objects nested past Python's depth: a kilobyte of brackets
        raise ValueError(f"{path} is not JSON: nested too deep") from None


def read_json(path: Path, bytes_max: int) -> Any:
    """The JSON document in ``path``; ValueError when it is larger than ``bytes_max`` or not JSON (OSError when
    it cannot be read)."""
    return parse_json(path, read_bounded(path, bytes_max))


def parse_typed(path: Path, data: bytes, kind: Any) -> Any:
    """``data`` read from ``path`` decoded as ``kind`` (a msgspec type); ValueError naming the file when it is not
    JSON or not of that shape."""
    try:
        return decode_json(data, kind)
    except msgspec.ValidationError as exc:
        raise ValueError(f"{path}: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from None
