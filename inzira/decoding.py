"""Decoding bytes another party controls: arrays or maps nested too deep, and strings that are not UTF-8, are
malformed input like any other.

msgspec raises RecursionError, not ``DecodeError``, on JSON or msgpack nested past its depth limit, even inside a
field a typed decode skips (an unknown field, a struct's extra trailing items, a ``Raw`` part): a few kilobytes of
brackets. That limit also shrinks as the caller's stack grows. It raises ``UnicodeDecodeError``, not
``DecodeError`` either, on a string (a msgpack str, a JSON string or key) that is not UTF-8. The decoders here
raise ``msgspec.DecodeError`` (a ``ValueError``) instead, which every caller already answers as malformed input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

TOO_DEEP = "nested too deep"
NOT_UTF8 = "a string is not UTF-8"


def refusing_depth(decode: Callable[[bytes], T]) -> Callable[[bytes], T]:
    """``decode`` (a msgspec decoder's ``decode``), raising ``msgspec.DecodeError`` on input nested too deep or
    holding a string that is not UTF-8."""

    def checked(data: bytes) -> T:
        try:
            return decode(data)
        except RecursionError:  # msgspec's own depth check, not a bug of ours
            raise msgspec.DecodeError(TOO_DEEP) from None
        except UnicodeDecodeError:
            raise msgspec.DecodeError(NOT_UTF8) from None

    return checked


def decode_json(data: bytes | str, kind: Any = Any) -> Any:
    """``msgspec.json.decode(data, type=kind)``, raising ``msgspec.DecodeError`` on JSON nested too deep or
    holding a string that is not UTF-8."""
    try:
        return msgspec.json.decode(data, type=kind)
    except RecursionError:
        raise msgspec.DecodeError(f"JSON {TOO_DEEP}") from None
    except UnicodeDecodeError:
        raise msgspec.DecodeError(f"JSON: {NOT_UTF8}") from None
