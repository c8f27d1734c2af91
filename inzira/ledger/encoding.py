"""The canonical encoding: msgpack of array-like msgspec structs.

Every signed or hashed structure has exactly one byte form: fields in declaration order, integers in their
shortest form, no maps with free ordering, no floats. Decoders check that the bytes they were given are
that one form, so two different byte strings can never stand for the same fact.
"""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

_encoder = msgspec.msgpack.Encoder()
encode = _encoder.encode


class CanonicalDecoder:
    """Decodes one type and refuses bytes that are not its canonical encoding."""

    __slots__ = ("_decode", "type_name")

    def __init__(self, kind: Any) -> None:
        self._decode = msgspec.msgpack.Decoder(kind).decode
        self.type_name = getattr(kind, "__name__", str(kind))

    def __call__(self, data: bytes) -> Any:
        try:
            value = self._decode(data)
        except UnicodeDecodeError as exc:  # msgspec's verdict on a string that is not UTF-8: bad bytes all the same
            raise msgspec.DecodeError(f"{self.type_name}: a string is not UTF-8") from exc
        except RecursionError:  # msgspec's depth check, even in items it skips: malformed bytes all the same
            raise msgspec.DecodeError(f"{self.type_name}: nested too deep") from None
        if encode(value) != data:
            raise msgspec.DecodeError(f"{self.type_name}: not in canonical form")
        return value


DecodeError = msgspec.DecodeError
ValidationError = msgspec.ValidationError
