"""Interledger's OER encoding (RFC 27's ASN.1 Octet Encoding Rules) as ILP packets use it, and its errors.

Length prefixes, variable-length octet strings and the packet envelope (a type byte, then the content as one
octet string), read strictly: a length must be canonical and a packet must end where its envelope says. Kept
apart from ``ilp``, which lays the Prepare and Payment packets out with these.
"""

from __future__ import annotations

LENGTH_PREFIX_BYTES_MAX = 4


class IlpError(ValueError):
    """A packet, condition or fulfilment that does not decode; ``field`` names the part at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def length_prefix(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    size = (length.bit_length() + 7) // 8
    return bytes([0x80 | size]) + length.to_bytes(size, "big")


def var_octets(raw: bytes) -> bytes:
    return length_prefix(len(raw)) + raw


class OerReader:
    """Reads ``raw`` front to back; running past its end, or leaving bytes after it, is an ``IlpError``."""

    def __init__(self, raw: bytes, field: str) -> None:
        self.raw = raw
        self.at = 0
        self.field = field

    def take(self, count: int, part: str) -> bytes:
        if self.at + count > len(self.raw):
            raise IlpError(self.field, f"ends inside its {part}")
        chunk = self.raw[self.at:self.at + count]
        self.at += count
        return chunk

    def length(self, part: str) -> int:
        first = self.take(1, part)[0]
        if first < 0x80:
            return first
        size = first & 0x7F
        if size == 0 or size > LENGTH_PREFIX_BYTES_MAX:
            raise IlpError(self.field, f"has a {part} length of {size} bytes")
        value = int.from_bytes(self.take(size, part), "big")
        if value < 0x80 or (size > 1 and value < 1 << (8 * (size - 1))):
            raise IlpError(self.field, f"has a non-canonical {part} length")
        return value

    def var_octets(self, part: str) -> bytes:
        return self.take(self.length(part), part)

    def finish(self) -> None:
        if self.at != len(self.raw):
            raise IlpError(self.field, f"has {len(self.raw) - self.at} bytes after its end")


def envelope(packet_type: int, content: bytes) -> bytes:
    return bytes([packet_type]) + var_octets(content)


def open_envelope(raw: bytes, expected_type: int, field: str) -> OerReader:
    outer = OerReader(raw, field)
    packet_type = outer.take(1, "type")[0]
    if packet_type != expected_type:
        raise IlpError(field, f"is an ILP packet of type {packet_type}, not {expected_type}")
    content = outer.var_octets("content")
    outer.finish()
    return OerReader(content, field)


def ascii_text(raw: bytes, field: str, part: str) -> str:
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise IlpError(field, f"its {part} is not ASCII") from exc
