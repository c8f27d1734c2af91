"""Reading a JSON file a person wrote (a links file, a rates table): bounded in size, and a clear ValueError
naming the file when it is too large or not JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json(path: Path, bytes_max: int) -> Any:
    """The JSON document in ``path``; ValueError when it is larger than ``bytes_max`` or not JSON (OSError when
    it cannot be read)."""
    data = path.read_bytes()
    if len(data) > bytes_max:
        raise ValueError(f"{path} is larger than {bytes_max} bytes")
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ValueError(f"{path} is not JSON: {exc}") from None
    except RecursionError:  # arrays or objects nested past Python's depth: a kilobyte of brackets
        raise ValueError(f"{path} is not JSON: nested too deep") from None
