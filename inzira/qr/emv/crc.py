"""CRC-16/CCITT-FALSE (ISO/IEC 13239: polynomial 0x1021, initial 0xFFFF, no reflection, no final XOR)."""

from __future__ import annotations

_POLY = 0x1021
_INIT = 0xFFFF


def _make_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ _POLY) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


# One table lookup per byte instead of eight shifts: the payment hot path decodes every scanned QR.
_TABLE = _make_table()


def crc16_ccitt_false(data: bytes) -> int:
    crc = _INIT
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[(crc >> 8) ^ byte]
    return crc


def crc_hex(text: str) -> str:
    """The CRC of ``text``'s UTF-8 bytes as EMVCo writes it: four uppercase hex digits, zero-padded."""
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"
