"""The TLV layer: split text into (ID, value) pairs and join them back. Lengths count characters.

Every malformed input becomes an ``EmvError``; inside a template the code is "nested_tlv", so a caller can
tell a broken payload from a broken template.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn

from inzira.qr.emv.errors import EmvError, ErrorCode
from inzira.qr.emv.spec import TWO_DIGITS_RE, VALUE_CHARS_MAX

_HEADER_CHARS = 4  # two ID digits, two length digits


def _path(parent: str | None, tag: str) -> str:
    return f"{parent}.{tag}" if parent else tag


def split(text: str, parent: str | None = None) -> tuple[tuple[str, str], ...]:
    """Split ``text`` into (ID, value) pairs that exactly fill it; ``parent`` is the template's path."""
    where = f"template {parent}" if parent else "payload"
    pairs: list[tuple[str, str]] = []
    at = 0
    end = len(text)
    # Bounded: every pass consumes at least five characters.
    while at < end:
        if end - at < _HEADER_CHARS:
            _fail(parent, "tlv_truncated", parent, f"{where} ends inside an ID or length at character {at}")
        tag = text[at : at + 2]
        length_text = text[at + 2 : at + 4]
        if not TWO_DIGITS_RE.fullmatch(tag):
            _fail(parent, "tlv_bad_id", parent, f"{where}: ID {tag!r} at character {at} is not two digits")
        path = _path(parent, tag)
        if not TWO_DIGITS_RE.fullmatch(length_text):
            _fail(parent, "tlv_bad_length", path, f"{path}: length {length_text!r} is not two digits")
        length = int(length_text)
        if length == 0:
            _fail(parent, "tlv_bad_length", path, f"{path}: length 00 is not allowed")
        start = at + _HEADER_CHARS
        if start + length > end:
            _fail(
                parent,
                "tlv_truncated",
                path,
                f"{path}: length {length} runs past the end of the {where} ({end - start} characters left)",
            )
        pairs.append((tag, text[start : start + length]))
        at = start + length
    return tuple(pairs)


def _fail(parent: str | None, code: ErrorCode, tag: str | None, message: str) -> NoReturn:
    raise EmvError("nested_tlv" if parent else code, tag, message)


def join(pairs: Iterable[tuple[str, str]], parent: str | None = None) -> str:
    """Write (ID, value) pairs as TLV; refuses what ``split`` could not read back."""
    parts: list[str] = []
    for tag, value in pairs:
        path = _path(parent, tag)
        if not TWO_DIGITS_RE.fullmatch(tag):
            raise EmvError("tlv_bad_id", parent, f"ID {tag!r} is not two digits")
        if not value:
            raise EmvError("tlv_bad_length", path, f"{path}: an empty value cannot be written (length 00)")
        if len(value) > VALUE_CHARS_MAX:
            raise EmvError("too_long", path, f"{path}: {len(value)} characters, at most {VALUE_CHARS_MAX} fit")
        parts.append(f"{tag}{len(value):02d}{value}")
    return "".join(parts)
